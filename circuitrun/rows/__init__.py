"""Many input rows (CSV, JSON Lines) through one circuit, a chunk at a time."""
