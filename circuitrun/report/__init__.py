"""Stage 6: results as text (JSON, CSV, JSON Lines, table cells), numbers written one
way, and files written whole or not at all."""
