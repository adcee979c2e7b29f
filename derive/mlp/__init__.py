"""Multilayer perceptrons: the backpropagation derivation, its values and its proof."""
