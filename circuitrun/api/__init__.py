"""The Python API: load a spec into a Circuit, run it, read the Result."""
