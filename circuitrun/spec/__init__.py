"""Stage 2, the Pydantic models: the one definition of the file format, and its findings."""
