"""Computational graphs: nodes, local derivatives, reverse and forward mode."""
