"""Fiche de renseignements: families ask the establishment to update their data."""

from ts_host.api import HelpSection, ServiceDescription, Tile, hookimpl, of_name

from .commands import COMMAND
from .exports import IMPORT_FORMAT
from .models import find_store
from .schemas import _, settings_schema

SERVICE_ID = "fiche"


@hookimpl
def ts_describe_service():
    return ServiceDescription(
        id=SERVICE_ID,
        title="La fiche de renseignements",
        description="Les coordonnées connues de l'établissement et les demandes de mise à jour.",
        version="1.0.0",
        order=40,
        requires_host=">=1.0,<2",
        settings_schema=settings_schema(),
        translation_domain="ts_fiche",
    )


@hookimpl
def ts_configure(config):
    config.add_pupil_route("fiche", "")
    config.add_pupil_route("fiche.responsable", "/responsable/{responsable}")
    config.add_pupil_route("fiche.withdraw", "/responsable/{responsable}/retirer")
    config.scan("ts_fiche.views")


@hookimpl
def ts_tile(request, pupil, settings):
    translate = request.localizer.translate
    return Tile(
        title=translate(_("La fiche de renseignements")),
        text=translate(
            _(
                "Les informations que l'établissement connaît de l'élève et de "
                "ses responsables ; demandez leur mise à jour."
            )
        ),
        link_label=translate(
            _(
                "Consultez la fiche de renseignements ${of_first_name}",
                mapping={"of_first_name": of_name(request, pupil.first_name)},
            )
        ),
        url=request.route_url("fiche", pupil=pupil.id),
    )


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
