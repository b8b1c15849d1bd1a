"""``python -m staranalyzer``: the same as ``star-check``."""

from staranalyzer.cli import run

if __name__ == "__main__":  # worker processes started by spawn (Dask, --jobs) import this module
    run()
