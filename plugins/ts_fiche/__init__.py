"""Fiche de renseignements: families ask the establishment to update their data."""

from ts_host.api import HelpSection, ServiceDescription, hookimpl

from . import office, schemas, views
from .commands import COMMAND
from .exports import IMPORT_FORMAT
from .i18n import _
from .models import SERVICE_ID, find_store


@hookimpl
def ts_describe_service():
    return ServiceDescription(
        id=SERVICE_ID,
        title="La fiche de renseignements",
        description="Les coordonnées connues de l'établissement et les demandes de mise à jour.",
        version="1.0.0",
        order=40,
        requires_host=">=1.2,<2",
        settings_schema=schemas.settings_schema(),
        translation_domain="ts_fiche",
    )


@hookimpl
def ts_configure(config):
    config.add_translation_dirs("ts_fiche:locale")
    config.add_pupil_page(views.PAGE_ROUTE, "", views.fiche_view, "ts_fiche:templates/fiche.pt")
    config.add_pupil_page(
        views.RESPONSABLE_ROUTE,
        "/responsable/{responsable}",
        views.ChangeRequestView,
        "ts_fiche:templates/edit.pt",
    )
    config.add_pupil_page(
        views.WITHDRAW_ROUTE,
        "/responsable/{responsable}/retirer",
        views.withdraw_view,
        request_method="POST",
    )
    config.add_staff_page(
        office.OFFICE_ROUTE, "", office.queue_view, "ts_fiche:templates/office.pt"
    )
    config.add_staff_page(
        office.DECIDE_ROUTE, "/{request_id}/decision", office.decide_view, request_method="POST"
    )


@hookimpl
def ts_tile(request, pupil, settings):
    return views.dashboard_tile(request, pupil)


@hookimpl
def ts_staff_tile(request, establishment):
    return office.office_tile(request, establishment)


@hookimpl
def ts_help():
    return HelpSection(title=_("La fiche de renseignements"), template="ts_fiche:templates/help.pt")


@hookimpl
def ts_import_formats():
    return [IMPORT_FORMAT]


@hookimpl
def ts_admin_commands():
    return [COMMAND]


@hookimpl
def ts_submit_responsable_changes(request, pupil, responsable, changes, origin):
    return views.take_changes(request, pupil, responsable, changes, origin)


@hookimpl
def ts_responsable_data(site, responsable):
    """The responsable's change requests, the most recent first."""
    store = find_store(site)
    changes = store.history(responsable.id) if store is not None else []
    if not changes:
        return None
    return {"demandes_de_modification": [change.export() for change in changes]}


@hookimpl
def ts_erase_responsable_data(site, responsable):
    store = find_store(site)
    if store is not None:
        store.erase_responsable(responsable.id)
