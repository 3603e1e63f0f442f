"""The *livret personnel de compétences* (LPC) téléservice: hook implementations."""

from __future__ import annotations

from ts_host.api import HelpSection, ServiceDescription, hookimpl

from . import demo, importers, schemas, views
from .i18n import _
from .models import SERVICE_ID, get_record


@hookimpl
def ts_describe_service():
    return ServiceDescription(
        id=SERVICE_ID,
        title="Le livret de compétences",
        description=("Le livret personnel de compétences (paliers 1, 2, 3) et son bilan en PDF."),
        version="1.0.0",
        order=30,
        requires_host=">=1.0,<2",
        settings_schema=schemas.settings_schema(),
        translation_domain="ts_lpc",
        url_segment="competences",
    )


@hookimpl
def ts_configure(config):
    config.add_translation_dirs("ts_lpc:locale")
    config.add_pupil_page(
        views.LIST_ROUTE, "", views.livret_view, "ts_lpc:templates/livret.pt", page_cache=True
    )
    config.add_pupil_page(
        views.COMPETENCE_ROUTE,
        r"/competence/{number:\d}",
        views.competence_view,
        "ts_lpc:templates/competence.pt",
        page_cache=True,
    )
    config.add_pupil_page(views.PDF_ROUTE, "/livret.pdf", views.pdf_view)


@hookimpl
def ts_tile(request, pupil, settings):
    return views.dashboard_tile(request, pupil)


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
