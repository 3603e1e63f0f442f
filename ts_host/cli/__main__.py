"""``python -m ts_host.cli``: ``ts-admin`` without its script (the tests' subprocesses)."""

import sys

from .core import main

sys.exit(main())
