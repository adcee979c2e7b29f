"""Text to data: the restricted expression parser and the readers of option and file text."""
