"""``python -m circuitrun``."""

from circuitrun.cli.app import main

main()
