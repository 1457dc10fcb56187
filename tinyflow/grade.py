"""`python -m tinyflow.grade NOTEBOOK...`: grade exercise notebooks (see tinyflow.grading.cli)."""

import sys

from tinyflow.grading.cli import main

if __name__ == "__main__":
    sys.exit(main())
