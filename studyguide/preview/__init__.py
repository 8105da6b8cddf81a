"""The live preview behind ``studyguide serve``: watch, rebuild, serve, reload the browser."""
