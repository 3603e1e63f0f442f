"""Establishment administration behind ``ts-admin``: SIECLE imports, the life
of activation codes, the information letters and the statistics.

Plain functions on the site, which the command line calls inside one
transaction: nothing here reads the ini file or prints, so each rule is
tested on a site directly.  See ``docs/admin.md``.
"""

from ..calendar import reference_day

__all__ = ["reference_day"]
