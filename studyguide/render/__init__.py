"""Turning the content model into HTML pages: Jinja templates, SEO metadata, the theme."""
