"""The *livret personnel de compétences* (LPC) téléservice: hook implementations."""

from __future__ import annotations

from ts_host.api import HelpSection, ServiceDescription, Tile, hookimpl, of_name

from . import demo, importers, views
from .i18n import _
from .models import SERVICE_ID, get_record
from .schemas import settings_schema


@hookimpl
def ts_describe_service():
    return ServiceDescription(
        id=SERVICE_ID,
        title="Le livret de compétences",
        description=("Le livret personnel de compétences (paliers 1, 2, 3) et son bilan en PDF."),
        version="1.0.0",
        order=30,
        requires_host=">=1.0,<2",
        settings_schema=settings_schema(),
        translation_domain="ts_lpc",
        url_segment="competences",
    )


@hookimpl
def ts_configure(config):
    views.includeme(config)


@hookimpl
def ts_tile(request, pupil, settings):
    translate = request.localizer.translate
    return Tile(
        title=translate(_("Le livret de compétences")),
        text=translate(_("La liste exhaustive des compétences, tout au long de la scolarité.")),
        link_label=translate(
            _(
                "Consultez le livret de compétences ${of_first_name}",
                mapping={"of_first_name": of_name(request, pupil.first_name)},
            )
        ),
        url=request.route_url(SERVICE_ID, pupil=pupil.id),
    )


@hookimpl
def ts_help():
    return HelpSection(title=_("Le livret de compétences"), template="ts_lpc:templates/help.pt")


@hookimpl
def ts_demo_data(establishment, pupils, rng, settings):
    demo.fill(establishment, pupils, rng)


@hookimpl
def ts_import_formats():
    return [importers.IMPORT_FORMAT]


@hookimpl
def ts_pupil_data(pupil):
    record = get_record(pupil)
    return record.as_json() if record is not None else None


@hookimpl
def ts_erase_pupil_data(pupil):
    pupil.services.pop(SERVICE_ID)
