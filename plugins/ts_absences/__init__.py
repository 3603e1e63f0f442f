"""Les absences: half-days of absence per week (guide, section 2.4.2)."""

from ts_host.api import STAFF_PERMISSION, HelpSection, ServiceDescription, hookimpl

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
    config.add_pupil_route(views.PAGE_ROUTE, "")
    config.add_view(
        views.absences_view,
        route_name=views.PAGE_ROUTE,
        renderer="ts_absences:templates/absences.pt",
        permission="view",
    )
    config.add_pupil_route(views.JUSTIFY_ROUTE, "/justifier")
    config.add_pupil_route(views.ANNOUNCE_ROUTE, "/annoncer")
    for route, view in (
        (views.JUSTIFY_ROUTE, views.JustifyView),
        (views.ANNOUNCE_ROUTE, views.AnnounceView),
    ):
        config.add_view(
            view,
            route_name=route,
            renderer="ts_absences:templates/justify.pt",
            permission="view",
        )
    config.add_staff_route(office.QUEUE_ROUTE, "")
    config.add_staff_route(office.DECIDE_ROUTE, "/{justification_id}/decision")
    config.add_staff_route(office.IMPORT_ROUTE, "/import")
    config.allow_body(office.IMPORT_ROUTE, office.IMPORT_PAGE.body_limit)
    config.add_view(
        office.queue_view,
        route_name=office.QUEUE_ROUTE,
        renderer="ts_absences:templates/office.pt",
        permission=STAFF_PERMISSION,
    )
    config.add_view(
        office.decide_view,
        route_name=office.DECIDE_ROUTE,
        request_method="POST",
        permission=STAFF_PERMISSION,
    )
    config.add_view(
        office.import_view,
        route_name=office.IMPORT_ROUTE,
        renderer="ts_absences:templates/import.pt",
        permission=STAFF_PERMISSION,
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
