"""The « Autres rubriques » tile of the dashboard (guide, section 2.4)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ts_host.api import Tile, TileLink

from .i18n import _


def dashboard_tile(settings: Mapping[str, Any]) -> Tile | None:
    """The establishment's links, in its order; no tile when it offers none."""
    links = settings.get("links") or ()
    if not links:
        return None
    return Tile(
        title=_("Autres rubriques"),
        text=_("Accédez aux autres rubriques qui vous sont proposées :"),
        links=tuple(
            TileLink(link["title"], link["url"], link.get("description", "")) for link in links
        ),
    )
