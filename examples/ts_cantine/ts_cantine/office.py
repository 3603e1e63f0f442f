"""The canteen's pages in the establishment office: the week's menus, and their import.

The example of a service's staff pages (docs/plugins.md, ``ts_staff_tile``):

* ``ts_cantine.office`` (``/gestion/<uai>/cantine``): the menus of a school
  week as the families will read them; every staff member of the
  establishment (``STAFF_PERMISSION``);
* ``ts_cantine.office_menus`` (``/gestion/<uai>/cantine/menus``): the import
  of a menus file, upload → preview → confirm, by the host's import page
  around ``MenusImporter``, the very importer of ``ts-admin import
  cantine-menus``, held to the page's establishment; those who may change
  data only (``STAFF_EDIT_PERMISSION``: not the vie scolaire).

The host checks the context (a staff member of this establishment, which
offers the canteen; 404 otherwise) before these views run.
"""

from __future__ import annotations

from ts_host.api import (
    STAFF_EDIT_PERMISSION,
    EstablishmentConfig,
    Tile,
    UploadField,
    day_label,
    find_week,
    importer_page,
    school_weeks,
    site_data,
    today,
)

from .i18n import _
from .importers import MenusImporter
from .models import SERVICE_ID, CantineSite
from .views import WEEK_PARAM

OFFICE_ROUTE = "ts_cantine.office"
MENUS_ROUTE = "ts_cantine.office_menus"

MENUS_PAGE = importer_page(
    MenusImporter,
    UploadField("menus", _("Fichier des menus"), _("CSV, un menu par jour (voir le format)")),
    OFFICE_ROUTE,
    max_file=1024 * 1024,  # a year of menus is a few tens of kilobytes
)


def office_tile(request, establishment: EstablishmentConfig) -> Tile:
    return Tile(
        title=_("La cantine"),
        text=_("Les menus de la semaine, tels que les familles les lisent."),
        link_label=_("Voir et importer les menus"),
        url=request.route_url(OFFICE_ROUTE, uai=establishment.uai),
    )


def menus_view(context, request) -> dict:
    """The chosen week's menus of the establishment."""
    config = context.config
    weeks = school_weeks(config)
    week = find_week(config, request.params.get(WEEK_PARAM), today(request))
    menus = site_data(request.site, SERVICE_ID, CantineSite).menus.get(config.uai)
    return {
        "config": config,
        "weeks": weeks,
        "week": week,
        "week_param": WEEK_PARAM,
        "days": [(day_label(day), menus.get(day) if menus else None) for day in week.days],
        "may_import": request.has_permission(STAFF_EDIT_PERMISSION),
    }


def import_view(context, request):
    return MENUS_PAGE(request)
