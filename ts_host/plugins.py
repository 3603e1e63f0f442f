"""Discovery and bookkeeping of téléservice plugins.

Plugins come from the ``ts_host.plugins`` entry points (the bundled ones
too).  A plugin that fails to import, breaks the contract or needs another
host API is recorded with the reason and left out; the application still
starts.  Each establishment gets hook callers restricted to the services it
enables, so a disabled service is never asked anything about its pupils.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points
from types import ModuleType

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from . import hookspecs
from .contract import API_VERSION, ServiceDescription

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "ts_host.plugins"


#: The description ``ts-admin new-plugin`` writes: ``ts-admin plugins`` fails
#: while a service still says it (its author has not described it yet).
SCAFFOLD_DESCRIPTION = "À décrire : ce que la famille trouve sur la page de ce service."


@dataclass(frozen=True)
class PluginStatus:
    """One line of ``ts-admin plugins``: ``status`` is ok, incompatible or broken."""

    name: str
    distribution: str
    status: str
    reason: str = ""
    description: ServiceDescription | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def unfinished(self) -> str:
        """What the author must still write before shipping (empty when nothing)."""
        if self.description is not None and self.description.description == SCAFFOLD_DESCRIPTION:
            return "description du gabarit : décrivez le service dans ts_describe_service"
        return ""


class PluginRegistry:
    """The plugin manager and what is known of each plugin."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager("ts_host")
        self.pm.add_hookspecs(hookspecs)
        self.statuses: dict[str, PluginStatus] = {}
        self._subset_callers: dict[tuple, pluggy.HookCaller] = {}

    # -- loading ---------------------------------------------------------

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP) -> None:
        for entry_point in entry_points(group=group):
            distribution = entry_point.dist.name if entry_point.dist else ""
            try:
                module = entry_point.load()
            except Exception as exc:  # a broken plugin must not stop the host
                log.exception("plugin %s: import failed", entry_point.name)
                self._record(
                    entry_point.name,
                    distribution,
                    "broken",
                    f"import impossible : {type(exc).__name__}: {exc}",
                )
                continue
            self.register(module, name=entry_point.name, distribution=distribution)

    def register(self, module: ModuleType | object, name: str, distribution: str = "") -> bool:
        """Register one plugin; return whether it was accepted."""
        try:
            self.pm.register(module, name=name)
            self.pm.check_pending()
            description = self.call_service(name, hookspecs.ts_describe_service)
            if not isinstance(description, ServiceDescription):
                raise TypeError("ts_describe_service doit renvoyer une ServiceDescription")
            if description.id != name:
                raise ValueError(
                    f"l'identifiant du service « {description.id} » diffère du nom de son "
                    f"point d'entrée « {name} »"
                )
        except Exception as exc:
            detail = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
            reason = f"ne respecte pas le contrat des services : {type(exc).__name__}: {detail}"
            log.error("plugin %s refused: %s", name, reason)
            self._unregister(module, name)
            self._record(name, distribution, "broken", reason)
            return False
        reason = incompatibility(description.requires_host)
        if reason:
            log.warning("plugin %s refused: %s", name, reason)
            self._unregister(module, name)
            self._record(name, distribution, "incompatible", reason, description)
            return False
        self._record(name, distribution, "ok", "", description)
        return True

    def _unregister(self, module, name: str) -> None:
        if self.pm.get_plugin(name) is not None:
            self.pm.unregister(name=name)
        self._subset_callers.clear()

    def _record(self, name, distribution, status, reason="", description=None) -> None:
        self.statuses[name] = PluginStatus(name, distribution, status, reason, description)
        self._subset_callers.clear()

    # -- queries ---------------------------------------------------------

    @property
    def services(self) -> dict[str, ServiceDescription]:
        """The accepted services, by id, in their declared order."""
        accepted = [s.description for s in self.statuses.values() if s.ok]
        return {d.id: d for d in sorted(accepted, key=lambda d: (d.order, d.id))}

    def settings_schemas(self) -> dict:
        return {sid: d.settings_schema for sid, d in self.services.items()}

    def caller(self, hook: Callable, service_ids: Iterable[str]) -> pluggy.HookCaller:
        """A caller of ``hook`` (a function of :mod:`ts_host.hookspecs`) that
        reaches only the given services."""
        name = hook_name(hook)
        keep = frozenset(service_ids)
        key = (name, keep)
        if key not in self._subset_callers:
            remove = [plugin for other, plugin in self.pm.list_name_plugin() if other not in keep]
            self._subset_callers[key] = self.pm.subset_hook_caller(name, remove)
        return self._subset_callers[key]

    def call_service(self, service_id: str, hook: Callable, **kwargs):
        """Call one service's implementation of ``hook`` (``None`` if it has none).

        ``hook`` is the specification itself, ``hookspecs.ts_tile`` say, not
        its name: a misspelt hook fails where it is written, and arguments
        that are not the specification's fail at every call, not only when a
        service happens to implement the hook.
        """
        check_arguments(hook, kwargs)
        result = self.caller(hook, [service_id])(**kwargs)
        if hook.ts_host_spec.get("firstresult"):
            return result
        return result[0] if result else None


def hook_name(hook: Callable) -> str:
    """The name of a hook of the contract, given its specification function."""
    if getattr(hook, "ts_host_spec", None) is None or not hasattr(hookspecs, hook.__name__):
        raise TypeError(f"{hook!r} n'est pas une spécification de ts_host.hookspecs")
    return hook.__name__


@functools.cache
def spec_arguments(hook: Callable) -> frozenset[str]:
    """The argument names of a hook's specification (read once per process:
    ``inspect.signature`` was a tenth of a dashboard's CPU, eight tiles a page)."""
    hook_name(hook)
    return frozenset(inspect.signature(hook).parameters)


def check_arguments(hook: Callable, kwargs: dict) -> None:
    """Refuse a call whose arguments differ from the specification's."""
    expected = spec_arguments(hook)
    if kwargs.keys() != expected:
        raise TypeError(
            f"{hook_name(hook)} attend les arguments {sorted(expected)}, reçu {sorted(kwargs)}"
        )


def incompatibility(requires_host: str) -> str:
    """Why a service needing ``requires_host`` cannot run on this host ("" if it can)."""
    try:
        wanted = SpecifierSet(requires_host)
    except InvalidSpecifier:
        return (
            f"version de l'API hôte illisible dans requires_host : « {requires_host} » "
            "(exemple : « >=1.0,<2 »)"
        )
    if Version(API_VERSION) in wanted:
        return ""
    return (
        f"demande l'API hôte en version « {requires_host} », or cet hôte fournit la version "
        f"{API_VERSION} : installez une version du service prévue pour l'API {API_VERSION}"
    )
