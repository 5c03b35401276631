"""Entry point of the frozen build: the ``warroom`` command, as the console script runs it."""

import sys

from warroom.cli import main

if __name__ == "__main__":
    sys.exit(main())
