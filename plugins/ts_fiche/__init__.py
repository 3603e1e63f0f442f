"""Fiche de renseignements: families ask the establishment to update their data."""

from ts_host.api import STAFF_PERMISSION, HelpSection, ServiceDescription, hookimpl

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
    config.add_pupil_route(views.PAGE_ROUTE, "")
    config.add_pupil_route(views.RESPONSABLE_ROUTE, "/responsable/{responsable}")
    config.add_pupil_route(views.WITHDRAW_ROUTE, "/responsable/{responsable}/retirer")
    config.add_view(
        views.fiche_view,
        route_name=views.PAGE_ROUTE,
        renderer="ts_fiche:templates/fiche.pt",
        permission="view",
    )
    config.add_view(
        views.ChangeRequestView,
        route_name=views.RESPONSABLE_ROUTE,
        renderer="ts_fiche:templates/edit.pt",
        permission="view",
    )
    config.add_view(
        views.withdraw_view,
        route_name=views.WITHDRAW_ROUTE,
        request_method="POST",
        permission="view",
    )
    config.add_staff_route(office.OFFICE_ROUTE, "")
    config.add_staff_route(office.DECIDE_ROUTE, "/{request_id}/decision")
    config.add_view(
        office.queue_view,
        route_name=office.OFFICE_ROUTE,
        renderer="ts_fiche:templates/office.pt",
        permission=STAFF_PERMISSION,
    )
    config.add_view(
        office.decide_view,
        route_name=office.DECIDE_ROUTE,
        request_method="POST",
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
