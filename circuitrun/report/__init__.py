"""Stage 6: results written as JSON or CSV, whole or not at all."""
