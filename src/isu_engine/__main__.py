"""`python -m isu_engine` runs the `isu` command line."""

import sys

from .cli import main

sys.exit(main())
