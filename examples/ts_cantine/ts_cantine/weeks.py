"""The canteen serves lunch on school days, Monday to Friday: the host's
school week (``ts_host.api``: ``Week``, ``school_weeks``, ``find_week``…)."""

from ts_host.api import SCHOOL_DAYS_PER_WEEK as SCHOOL_DAYS

__all__ = ["SCHOOL_DAYS"]
