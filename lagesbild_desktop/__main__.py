"""`python -m lagesbild_desktop` runs the `lagesbild` command."""

import sys

from lagesbild_desktop.cli import main

sys.exit(main())
