"""Establishment administration behind ``ts-admin``: SIECLE imports, the life
of activation codes, the information letters and the statistics.

Plain functions on the site, which the command line calls inside one
transaction: nothing here reads the ini file or prints, so each rule is
tested on a site directly.  See ``docs/admin.md``.
"""

from datetime import date


def reference_day(settings: dict) -> date:
    """Today, or the fixed date of the ``ts.today`` setting (demo and tests).

    The command-line twin of :func:`ts_host.api.today`, which needs a request.
    """
    fixed = settings.get("ts.today")
    return date.fromisoformat(fixed) if fixed else date.today()
