"""``python -m circuitrun``."""

from circuitrun.cli import main

main()
