"""The establishment office: staff accounts with a second factor, under ``/gestion/``.

Staff are not families: their own accounts (``site.staff``), their own
cookie, sessions of 15 minutes idle, a typed password and TOTP.
"""

from pyramid.httpexceptions import HTTPSeeOther

from ..security import STAFF_PREFIX
from .establishment import UAI_PATTERN
from .imports import SIECLE_PAGE, STS_PAGE
from .signin import ACTIVATION_PATH


def includeme(config) -> None:
    root = "ts_host.staff.office.StaffRoot"
    config.add_route("staff_bare", STAFF_PREFIX)
    config.add_route("staff_home", f"{STAFF_PREFIX}/", factory=root)
    config.add_route("staff_login", f"{STAFF_PREFIX}/connexion")
    config.add_route("staff_second_factor", f"{STAFF_PREFIX}/verification")
    config.add_route("staff_enrol", f"{STAFF_PREFIX}/double-authentification")
    config.add_route("staff_logout", f"{STAFF_PREFIX}/deconnexion")
    config.add_route("staff_activate", f"{ACTIVATION_PATH}/{{token}}")
    config.add_route("staff_accounts", f"{STAFF_PREFIX}/personnel", factory=root)
    config.add_route(
        "staff_account_disable", f"{STAFF_PREFIX}/personnel/{{id}}/desactiver", factory=root
    )
    config.add_route(
        "staff_account_enable", f"{STAFF_PREFIX}/personnel/{{id}}/reactiver", factory=root
    )
    config.add_route(
        "staff_account_reset_second_factor",
        f"{STAFF_PREFIX}/personnel/{{id}}/reinitialiser-double-authentification",
        factory=root,
    )
    config.add_route("staff_journal", f"{STAFF_PREFIX}/journal", factory=root)
    office = "ts_host.staff.establishment.EstablishmentOffice"
    uai = f"{STAFF_PREFIX}/{{uai:{UAI_PATTERN}}}"
    config.add_route("office", f"{uai}/", factory=office)
    config.add_route("office_codes", f"{uai}/codes", factory=office)
    config.add_route("office_regenerate", f"{uai}/codes/regenerer", factory=office)
    config.add_route("office_refusal", f"{uai}/codes/refus", factory=office)
    config.add_route("office_mail_code", f"{uai}/codes/envoi", factory=office)
    config.add_route("office_letters", f"{uai}/lettres.pdf", factory=office)
    config.add_route("office_siecle", f"{uai}/import-siecle", factory=office)
    config.add_route("office_sts", f"{uai}/import-sts", factory=office)
    config.add_route("office_import_progress", f"{uai}/import/progression", factory=office)
    config.add_route("office_services", f"{uai}/services", factory=office)
    config.allow_body("office_siecle", SIECLE_PAGE.body_limit)
    config.allow_body("office_sts", STS_PAGE.body_limit)
    config.add_view(
        lambda request: HTTPSeeOther(request.route_url("staff_home")), route_name="staff_bare"
    )
    config.scan(".")
