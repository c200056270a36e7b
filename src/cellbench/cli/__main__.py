"""``python -m cellbench.cli`` runs the ``cellbench`` command line."""

import sys

from cellbench.cli import main

sys.exit(main())
