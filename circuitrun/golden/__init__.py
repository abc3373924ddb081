"""Golden checks: compare results with expect blocks and golden files."""
