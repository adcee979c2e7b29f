"""Reports and renderers: text, LaTeX, Markdown, JSON and pictures. Reads results; computes nothing."""
