"""One module per command (build, serve, deploy, check); the CLI imports each only when it runs."""
