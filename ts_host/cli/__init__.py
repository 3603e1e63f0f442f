"""``ts-admin``: the command line of academies and establishments.

:mod:`.core` holds the parser, the :class:`~.core.Environment` given to
each command, and :func:`main`; each other module is one family of commands,
a plugin of the host registered through the same hooks as the services'
(see :data:`.core.DEFAULT_PLUGINS`).
"""

from .core import Environment, HostCommand, HostImportFormat, main

__all__ = ["Environment", "HostCommand", "HostImportFormat", "main"]
