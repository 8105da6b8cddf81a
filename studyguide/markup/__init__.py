"""Markdown: the configured markdown-it parser and its rules, one module per rule."""
