"""Reading a guide: the content model (pure data), the config, and the validating loader."""
