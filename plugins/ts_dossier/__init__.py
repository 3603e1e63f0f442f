"""Le dossier scolaire: the hook implementations of the service, and nothing else."""

from pyramid.security import NO_PERMISSION_REQUIRED

from ts_host.api import HelpSection, ServiceDescription, hookimpl

from . import demo, evolve, models, office, schemas, views
from .commands import COMMAND
from .i18n import _
from .importers import IMPORT_FORMAT
from .models import SERVICE_ID


@hookimpl
def ts_describe_service():
    return ServiceDescription(
        id=SERVICE_ID,
        title="Le dossier scolaire",
        description=(
            "La scolarité de l'élève (années, classes, décisions), les bulletins et "
            "documents publiés par l'établissement, et le certificat de scolarité, "
            "vérifiable par tous à l'adresse /verifier."
        ),
        version="1.1.0",
        order=60,
        requires_host=">=1.1,<2",
        settings_schema=schemas.settings_schema(),
        translation_domain="ts_dossier",
    )


@hookimpl
def ts_configure(config):
    config.add_translation_dirs("ts_dossier:locale")
    config.add_pupil_page(views.PAGE_ROUTE, "", views.page_view, "ts_dossier:templates/page.pt")
    config.add_pupil_page(
        views.DOCUMENT_ROUTE,
        "/document/{number:\\d{1,9}}",
        views.document_view,
        request_method="GET",
    )
    config.add_pupil_page(
        views.CERTIFICATE_ROUTE, "/certificat", views.certificate_view, request_method="POST"
    )
    config.add_public_route(views.VERIFY_ROUTE, "/verifier")
    config.add_public_route(views.VERIFY_CODE_ROUTE, "/verifier/{token:.+}")
    for route in (views.VERIFY_ROUTE, views.VERIFY_CODE_ROUTE):
        config.add_view(
            views.verify_view,
            route_name=route,
            renderer="ts_dossier:templates/verify.pt",
            permission=NO_PERMISSION_REQUIRED,
        )
    config.add_staff_page(
        office.OFFICE_ROUTE,
        "",
        office.office_view,
        "ts_dossier:templates/office.pt",
        body_limit=office.UPLOAD_PAGE.body_limit,
    )
    config.add_staff_page(
        office.WITHDRAW_ROUTE,
        "/certificats/{certificate}/retirer",
        office.withdraw_view,
        request_method="POST",
    )


@hookimpl
def ts_tile(request, pupil, settings):
    return views.dashboard_tile(request, pupil)


@hookimpl
def ts_staff_tile(request, establishment):
    return office.office_tile(request, establishment)


@hookimpl
def ts_help():
    return HelpSection(title=_("Le dossier scolaire"), template="ts_dossier:templates/help.pt")


@hookimpl
def ts_demo_data(establishment, pupils, rng):
    demo.fill(establishment, pupils, rng)


@hookimpl
def ts_pupil_data(site, pupil):
    return models.export_pupil(site, pupil)


@hookimpl
def ts_erase_pupil_data(site, pupil):
    models.erase_pupil(site, pupil)


@hookimpl
def ts_import_formats():
    return [IMPORT_FORMAT]


@hookimpl
def ts_evolve_steps():
    return evolve.STEPS


@hookimpl
def ts_admin_commands():
    return [COMMAND]
