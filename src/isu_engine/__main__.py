"""`python -m isu_engine` runs the `isu` command line."""

import sys

from isu_engine.commands.cli import main

sys.exit(main())
