"""``python -m pytest_amplify_jobs``: see :mod:`pytest_amplify_jobs.cli`."""

from __future__ import annotations

import sys

from pytest_amplify_jobs.cli import main

if __name__ == "__main__":
    sys.exit(main())
