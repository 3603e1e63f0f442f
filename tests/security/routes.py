"""The application's routes as the tests see them: read from the route table.

Nothing here lists a service or a page by name, so a plugin installed
later is tested as soon as it is installed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pyramid.interfaces import IRoutesMapper

from ts_host.security import STAFF_PREFIX

PUPIL_PREFIX = "/eleve/{pupil}/"
PLACEHOLDER = re.compile(r"\{(\w+)(?::((?:[^{}]|\{[^{}]*\})*))?\}|\*(\w+)$")
#: Values tried, in order, for a placeholder the tests know nothing about;
#: the first one its regular expression accepts is used.
CANDIDATES = ("1", "T1", "2027-02", "annee", "a", "livret.pdf")


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    #: placeholder name -> its regular expression ("" when none).
    placeholders: dict[str, str]
    route: object

    @property
    def about_a_pupil(self) -> bool:
        return self.pattern.startswith(PUPIL_PREFIX)

    @property
    def for_staff(self) -> bool:
        """A page of the establishment office (tests/security/test_staff_access.py)."""
        return self.pattern == STAFF_PREFIX or self.pattern.startswith(STAFF_PREFIX + "/")

    def path(self, **values: str) -> str:
        """The path with ``values``, and a plausible value for other placeholders."""
        filled = {
            name: values[name] if name in values else guess(regex)
            for name, regex in self.placeholders.items()
        }
        for name, regex in self.placeholders.items():
            if regex is None:  # a *remainder: generate() wants a sequence
                filled[name] = (filled[name],) if filled[name] else ()
        return self.route.generate(filled)


def guess(regex: str | None) -> str:
    if not regex:
        return CANDIDATES[0]
    return next((c for c in CANDIDATES if re.fullmatch(regex, c)), CANDIDATES[0])


def all_routes(registry) -> list[Route]:
    mapper = registry.getUtility(IRoutesMapper)
    routes = []
    for route in mapper.get_routes():
        placeholders = {}
        for match in PLACEHOLDER.finditer(route.pattern):
            if match.group(3):
                placeholders[match.group(3)] = None
            else:
                placeholders[match.group(1)] = match.group(2) or ""
        # Routes added under a route prefix are stored without the leading slash.
        pattern = "/" + route.pattern.lstrip("/")
        routes.append(Route(route.name, pattern, placeholders, route))
    return routes


def pupil_routes(registry) -> list[Route]:
    return [route for route in all_routes(registry) if route.about_a_pupil]


@dataclass(frozen=True)
class ViewInfo:
    route_name: str
    #: ``None``: the view answers every method.
    methods: frozenset[str] | None
    match: dict[str, str]


def views(registry) -> list[ViewInfo]:
    """Every view bound to a route, with its methods and ``match_param`` values."""
    found = []
    for view in registry.introspector.get_category("views"):
        intr = view["introspectable"]
        route_name = intr["route_name"]
        if route_name is None:
            continue
        methods = intr["request_methods"]
        if isinstance(methods, str):
            methods = (methods,)
        match = intr["match_param"] or {}
        if not isinstance(match, dict):
            pairs = (match,) if isinstance(match, str) else match
            match = dict(pair.split("=", 1) for pair in pairs)
        found.append(ViewInfo(route_name, frozenset(methods) if methods else None, match))
    return found


def requests(registry, method: str) -> Iterator[tuple[Route, dict[str, str]]]:
    """Each route with a view answering ``method``: ``(route, match values)``.

    A route whose views differ by ``match_param`` (``/compte/{part}``) is
    given once for each value.
    """
    routes = {route.name: route for route in all_routes(registry)}
    seen = set()
    for view in views(registry):
        if view.methods is not None and method not in view.methods:
            continue
        route = routes.get(view.route_name)
        key = (view.route_name, tuple(sorted(view.match.items())))
        if route is None or key in seen:
            continue
        seen.add(key)
        yield route, view.match
