"""studyguide: a static-site generator for study guides."""

__version__ = "0.1.0"
