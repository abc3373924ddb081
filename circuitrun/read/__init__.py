"""Stage 1, YAML/JSON text → plain data with the position of every key and value."""
