"""Convolutional networks: output sizes, feature maps, pooling, parameter counts."""
