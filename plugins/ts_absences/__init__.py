"""Les absences: half-days of absence per week (guide, section 2.4.2)."""

from ts_host.api import HelpSection, ServiceDescription, hookimpl

from . import demo, importers, views
from .i18n import _
from .models import SERVICE_ID, STATE_LABELS


@hookimpl
def ts_describe_service():
    return ServiceDescription(
        id=SERVICE_ID,
        title="Les absences",
        description="Les demi-journées d'absence, semaine par semaine.",
        version="1.0.0",
        order=20,
        requires_host=">=1.0,<2",
        settings_schema=None,
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


@hookimpl
def ts_tile(request, pupil, settings):
    return views.dashboard_tile(request, pupil)


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
def ts_pupil_data(pupil):
    data = pupil.services.get(SERVICE_ID)
    if data is None:
        return None
    return {
        "absences": [
            {
                "debut": absence.start.isoformat(timespec="minutes"),
                "fin": absence.end.isoformat(timespec="minutes"),
                "etat": STATE_LABELS[absence.state],
                "motif_legitime": absence.legitimate,
            }
            for absence in data
        ]
    }


@hookimpl
def ts_erase_pupil_data(pupil):
    pupil.services.pop(SERVICE_ID)
