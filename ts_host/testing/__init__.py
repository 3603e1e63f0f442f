"""The test kit: fixtures for the host's tests and for plugin authors.

Registered as a pytest plugin by the distribution (entry point ``pytest11``),
so a plugin's tests just use the fixtures:

``ts_service_under_test``
    override it in your ``conftest.py`` with your service id; the kit then
    enables it in establishment A and not in B.
``ts_service_settings``
    override it to give establishments settings tables:
    ``{uai: {service id: {setting: value}}}``.
``ts_app`` / ``testapp``
    a fresh WSGI application on a throw-away copy of a demo database (a
    ``DemoStorage`` over a base built once per configuration), mail written to a
    temporary folder; ``testapp`` is a WebTest ``TestApp`` on it.
``TestApp``
    WebTest's client, reading pages as a browser does (html5lib): use it for
    a client of your own (a second family, a second staff member).
``site`` / ``tm``
    the site root and a transaction manager, for reading and writing the
    same database directly from a test (``with tm: ...``).
``pupil_enabled`` / ``pupil_disabled``
    ids of demo pupils of A and of B.
``family``
    a responsable account holding both pupils; ``family_app`` is a
    ``testapp`` logged in as that account.
``kept_pages(app)``
    how many pages the application keeps between a family's views
    (:mod:`ts_host.page_cache`), for a test that a kept page shows no
    stale record.
``mailbox``
    the messages sent so far (only those whose transaction committed).
``register_plugin``
    ``register_plugin(module, name)``: a new application, on the test's
    database, where ``module`` is service ``name``, enabled in A only, with
    its pages and its demo data; for one test only.
``ts_admin``
    ``ts_admin(command, *args)`` runs ``ts-admin`` on a file copy of the
    demo database; ``ts_admin.site()`` opens that copy.
``assert_gdpr_export_covers(site, plugins, service_id)``
    fails when a value the service stores is in none of its GDPR exports
    (:mod:`ts_host.testing.gdpr`).
``make_staff`` / ``staff_login`` / ``staff_app``
    a staff account ready to sign in, its sign-in, and both at once on a
    client of its own (for a service's pages in the establishment office).
``ServiceAccessTests``
    subclass it in a plugin's tests: the host's access promises (disabled
    service, another family's or an unknown pupil: 404; anonymous: the
    login page) checked on the service's pages (:mod:`ts_host.testing.access`).
``assert_public_api_only(package)``
    fails when a plugin imports anything of the host but its public API
    (:mod:`ts_host.testing.imports`).

The fixtures that depend on what a ``conftest.py`` overrides are
function-scoped, backed by caches of the session (:class:`DemoBases`): one
test run over the host and several plugins builds one demo base per
configuration, not one for the whole run.

The package's modules: :mod:`~ts_host.testing.data` (establishments,
settings, demo base, accounts), :mod:`~ts_host.testing.web` (logging in,
mail), :mod:`~ts_host.testing.admin` (``ts-admin``),
:mod:`~ts_host.testing.storages` (FileStorage, ZEO, PostgreSQL),
:mod:`~ts_host.testing.servers` (the ini writer and the launcher of server
processes), :mod:`~ts_host.testing.gdpr`, :mod:`~ts_host.testing.access`,
:mod:`~ts_host.testing.imports`, and :mod:`~ts_host.testing.plugin` (the
fixtures).
"""

from __future__ import annotations

import warnings

# "X as X": names the host's own tests import from here, besides the public ones.
from ..contract import ServiceDescription
from .access import ServiceAccessTests
from .admin import Admin, AdminRun
from .data import DEMO_PUPILS as DEMO_PUPILS
from .data import (
    ESTABLISHMENT_A,
    ESTABLISHMENT_B,
    PASSWORD,
    TODAY,
    TRIMESTRES,
    Family,
    app_settings,
    attach_responsable,
    college_config,
    establishments_toml,
    make_account,
    open_site,
    pupils_of,
    set_teaching_team,
    structured_site,
)
from .data import TEST_SECRETS as TEST_SECRETS
from .data import DemoBases as DemoBases
from .data import build_demo_storage as build_demo_storage
from .data import enable_service as enable_service
from .data import installed_services as installed_services
from .gdpr import assert_gdpr_export_covers
from .imports import assert_public_api_only
from .imports import non_public_imports as non_public_imports
from .staff import StaffMember, make_staff, staff_app, staff_login
from .web import TEST_ENVIRON as TEST_ENVIRON
from .web import Mailbox as Mailbox
from .web import TestApp, help_section, kept_pages, keypad_positions, login, set_today

# The fixtures live in a module of their own, which pytest loads with this one.
pytest_plugins = ("ts_host.testing.plugin",)


def _test_settings(folder, establishments, zodb_uri) -> dict:
    return app_settings(folder, establishments, zodb_uri)


# pytest would collect a function named test_* imported into a test module.
_test_settings.__test__ = False


def __getattr__(name: str):
    """``test_settings``: the former name of :func:`app_settings`, deprecated."""
    if name == "test_settings":
        warnings.warn(
            "ts_host.testing.test_settings est renommé app_settings",
            DeprecationWarning,
            stacklevel=2,
        )
        return _test_settings
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ESTABLISHMENT_A",
    "ESTABLISHMENT_B",
    "PASSWORD",
    "TODAY",
    "TRIMESTRES",
    "Admin",
    "AdminRun",
    "Family",
    "ServiceAccessTests",
    "ServiceDescription",
    "StaffMember",
    "TestApp",
    "app_settings",
    "assert_gdpr_export_covers",
    "assert_public_api_only",
    "attach_responsable",
    "college_config",
    "establishments_toml",
    "help_section",
    "kept_pages",
    "keypad_positions",
    "login",
    "make_account",
    "make_staff",
    "open_site",
    "pupils_of",
    "set_teaching_team",
    "set_today",
    "staff_app",
    "staff_login",
    "structured_site",
]
