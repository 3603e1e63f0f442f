"""Les absences: half-days of absence per week (guide, section 2.4.2)."""

from ts_host.api import HelpSection, ServiceDescription, hookimpl

from . import demo, evolve, importers, justifications, office, schemas, views
from .i18n import _
from .models import SERVICE_ID, STATE_LABELS


@hookimpl
def ts_describe_service():
    return ServiceDescription(
        id=SERVICE_ID,
        title="Les absences",
        description="Les demi-journées d'absence, semaine par semaine.",
        version="1.1.0",
        order=20,
        requires_host=">=1.0,<2",
        settings_schema=schemas.settings_schema(),
        translation_domain="ts_absences",
    )


@hookimpl
def ts_configure(config):
    config.add_translation_dirs("ts_absences:locale")
    config.add_pupil_page(
        views.PAGE_ROUTE,
        "",
        views.absences_view,
        "ts_absences:templates/absences.pt",
        page_cache=True,
    )
    config.add_pupil_page(
        views.JUSTIFY_ROUTE, "/justifier", views.JustifyView, "ts_absences:templates/justify.pt"
    )
    config.add_pupil_page(
        views.ANNOUNCE_ROUTE, "/annoncer", views.AnnounceView, "ts_absences:templates/justify.pt"
    )
    config.add_staff_page(
        office.QUEUE_ROUTE, "", office.queue_view, "ts_absences:templates/office.pt"
    )
    config.add_staff_page(
        office.DECIDE_ROUTE,
        "/{justification_id}/decision",
        office.decide_view,
        request_method="POST",
    )
    config.add_staff_page(
        office.IMPORT_ROUTE,
        "/import",
        office.import_view,
        "ts_absences:templates/import.pt",
        body_limit=office.IMPORT_PAGE.body_limit,
    )


@hookimpl
def ts_tile(request, pupil, settings):
    return views.dashboard_tile(request, pupil)


@hookimpl
def ts_staff_tile(request, establishment):
    return office.office_tile(request, establishment)


@hookimpl
def ts_help():
    return HelpSection(title=_("Les absences"), template="ts_absences:templates/help.pt")


@hookimpl
def ts_demo_data(establishment, pupils, rng, settings):
    demo.fill(establishment, pupils, rng)


@hookimpl
def ts_import_formats():
    return importers.FORMATS


@hookimpl
def ts_evolve_steps():
    return evolve.STEPS


@hookimpl
def ts_pupil_data(pupil):
    data = pupil.services.get(SERVICE_ID)
    if data is None:
        return None
    return {
        "justifications": [j.export() for j in data.justifications.values()],
        "absences": [
            {
                "debut": absence.start.isoformat(timespec="minutes"),
                "fin": absence.end.isoformat(timespec="minutes"),
                "etat": STATE_LABELS[absence.state],
                "motif_legitime": absence.legitimate,
            }
            for absence in data
        ],
    }


@hookimpl
def ts_erase_pupil_data(site, pupil):
    justifications.erase(site, pupil)
    pupil.services.pop(SERVICE_ID)
