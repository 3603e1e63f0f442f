"""The grades service (guide, section 2.4.1): the hook implementations."""

from __future__ import annotations

from ts_host.api import HelpSection, ServiceDescription, Tile, hookimpl, of_name

from . import demo, gdpr, importers
from .i18n import _
from .models import SERVICE_ID
from .schemas import settings_schema
from .views import notes_view


@hookimpl
def ts_describe_service():
    return ServiceDescription(
        id=SERVICE_ID,
        title="Les notes",
        description="La liste exhaustive des notes pour chaque contrôle, tout au long de l'année.",
        version="1.0.0",
        order=10,
        requires_host=">=1.0,<2",
        settings_schema=settings_schema(),
        translation_domain="ts_notes",
    )


@hookimpl
def ts_configure(config):
    config.add_translation_dirs("ts_notes:locale")
    config.add_pupil_route("notes", "")
    config.add_view(
        notes_view, route_name="notes", renderer="ts_notes:templates/notes.pt", permission="view"
    )


@hookimpl
def ts_tile(request, pupil, settings):
    translate = request.localizer.translate
    return Tile(
        title=translate(_("Les notes")),
        text=translate(
            _("La liste exhaustive des notes pour chaque contrôle, tout au long de l'année.")
        ),
        link_label=translate(
            _(
                "Consultez la liste des notes ${of_first_name}",
                mapping={"of_first_name": of_name(request, pupil.first_name)},
            )
        ),
        url=request.route_url("notes", pupil=pupil.id),
    )


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
