"""La cantine: the week's menus and the pupil's canteen account.

A third-party téléservice, written with the public API of the host only
(``ts_host.api``; ``ts_host.testing`` in its tests).  This module holds the
hook implementations and nothing else.
"""

from ts_host.api import (
    STAFF_EDIT_PERMISSION,
    HelpSection,
    ServiceDescription,
    hookimpl,
)

from . import commands, demo, evolve, importers, office, schemas, views
from .i18n import _
from .models import SERVICE_ID


@hookimpl
def ts_describe_service():
    return ServiceDescription(
        id=SERVICE_ID,
        title="La cantine",
        description="Les menus de la semaine et le compte de restauration de l'élève.",
        version="1.2.0",
        order=50,
        requires_host=">=1.2,<2",
        settings_schema=schemas.settings_schema(),
        translation_domain="ts_cantine",
    )


@hookimpl
def ts_configure(config):
    config.add_translation_dirs("ts_cantine:locale")
    config.add_pupil_page(
        views.PAGE_ROUTE, "", views.cantine_view, "ts_cantine:templates/cantine.pt"
    )
    # The establishment office's pages: /gestion/<uai>/cantine[/menus].
    config.add_staff_page(
        office.OFFICE_ROUTE, "", office.menus_view, "ts_cantine:templates/office.pt"
    )
    config.add_staff_page(
        office.MENUS_ROUTE,
        "/menus",
        office.import_view,
        "ts_cantine:templates/office_menus.pt",
        permission=STAFF_EDIT_PERMISSION,
        body_limit=office.MENUS_PAGE.body_limit,
    )


@hookimpl
def ts_tile(request, pupil, settings):
    return views.dashboard_tile(request, pupil)


@hookimpl
def ts_staff_tile(request, establishment):
    return office.office_tile(request, establishment)


@hookimpl
def ts_help():
    return HelpSection(title=_("La cantine"), template="ts_cantine:templates/help.pt")


@hookimpl
def ts_demo_data(site, establishment, pupils, rng, settings):
    demo.fill(site, establishment, pupils, rng, settings)


@hookimpl
def ts_import_formats():
    return importers.FORMATS


@hookimpl
def ts_admin_commands():
    return [commands.COMMAND]


@hookimpl
def ts_evolve_steps():
    return evolve.STEPS


@hookimpl
def ts_pupil_data(pupil):
    account = pupil.services.get(SERVICE_ID)
    if account is None:
        return None
    return account.export()


@hookimpl
def ts_erase_pupil_data(pupil):
    pupil.services.pop(SERVICE_ID)
