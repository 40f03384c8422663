"""The REST API for media uploads (version 1): the report form uploads while the citizen types."""
