"""The parser: a file's bytes → the parsed model (loaders/models.py). Reads nothing from the database."""
