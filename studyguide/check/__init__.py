"""Checking a built site: links, ids, alt text, Mermaid syntax, HTML validity, content lint."""
