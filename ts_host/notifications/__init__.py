"""Notifications: services report events for a pupil, families choose what
they hear of (« Gérer son compte »), ``ts-admin notify`` sends the mails.

:func:`report_event` is the services' door (exported by ``ts_host.api``);
:mod:`.queue` holds the protocol, :mod:`.sending` the runner, :mod:`.views`
the preferences form and the one-click unsubscribe.
"""

from .queue import report_event


def includeme(config) -> None:
    config.add_route("unsubscribe", "/desabonnement/{token}")
    config.scan(".views")


__all__ = ["report_event"]
