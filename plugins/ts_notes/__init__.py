"""The grades service (guide, section 2.4.1): the hook implementations."""

from __future__ import annotations

from ts_host.api import (
    STAFF_EDIT_PERMISSION,
    HelpSection,
    ServiceDescription,
    hookimpl,
)

from . import demo, gdpr, importers, office, schemas, views
from .i18n import _
from .models import SERVICE_ID


@hookimpl
def ts_describe_service():
    return ServiceDescription(
        id=SERVICE_ID,
        title="Les notes",
        description="La liste exhaustive des notes pour chaque contrôle, tout au long de l'année.",
        version="1.0.0",
        order=10,
        requires_host=">=1.2,<2",
        settings_schema=schemas.settings_schema(),
        translation_domain="ts_notes",
    )


@hookimpl
def ts_configure(config):
    config.add_translation_dirs("ts_notes:locale")
    config.add_pupil_page(
        views.PAGE_ROUTE, "", views.notes_view, "ts_notes:templates/notes.pt", page_cache=True
    )
    config.add_pupil_page(
        views.TEAM_ROUTE, "/equipe", views.team_view, "ts_notes:templates/team.pt", page_cache=True
    )
    config.add_staff_page(
        office.PUBLISHED_ROUTE, "", office.published_view, "ts_notes:templates/office.pt"
    )
    config.add_staff_page(
        office.IMPORT_ROUTE,
        "/import",
        office.import_view,
        "ts_notes:templates/office_import.pt",
        permission=STAFF_EDIT_PERMISSION,
        body_limit=office.IMPORT_PAGE.body_limit,
    )


@hookimpl
def ts_staff_tile(request, establishment):
    return office.office_tile(request, establishment)


@hookimpl
def ts_tile(request, pupil, settings):
    return views.dashboard_tile(request, pupil)


@hookimpl
def ts_help():
    return HelpSection(title=_("Les notes"), template="ts_notes:templates/help.pt")


@hookimpl
def ts_demo_data(site, establishment, pupils, rng, settings):
    demo.fill(site, establishment, pupils, rng)


@hookimpl
def ts_import_formats():
    return importers.import_formats()


@hookimpl
def ts_pupil_data(pupil):
    return gdpr.pupil_data(pupil)


@hookimpl
def ts_erase_pupil_data(pupil):
    gdpr.erase(pupil)
