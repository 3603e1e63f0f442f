"""Load and scale benchmarks of the portal (``python -m bench``; see bench/RESULTS.md).

Not tests: nothing here runs under ``make test``.
"""
