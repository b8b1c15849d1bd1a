"""``python -m staranalyzer``: the same as ``star-check``."""

from staranalyzer.cli import main

main()
