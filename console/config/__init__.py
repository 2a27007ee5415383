"""Configuration: the import configuration, its connection tests, versions, export and import."""
