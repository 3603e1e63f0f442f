"""Téléinscription: the family completes the registration of a pupil arriving
in the establishment online; the establishment follows, returns and accepts
the files."""

from ts_host.api import STAFF_PERMISSION, HelpSection, ServiceDescription, hookimpl

from . import demo, evolve, office, schemas, views
from .i18n import _
from .importers import IMPORT_FORMAT
from .models import SERVICE_ID, find_registration, find_site


@hookimpl
def ts_describe_service():
    return ServiceDescription(
        id=SERVICE_ID,
        title="La téléinscription",
        description="L'inscription en ligne d'un élève qui arrive dans l'établissement.",
        version="1.0.0",
        order=45,
        requires_host=">=1.2,<2",
        settings_schema=schemas.settings_schema(),
        translation_domain="ts_inscription",
    )


@hookimpl
def ts_configure(config):
    config.add_translation_dirs("ts_inscription:locale")
    template = "ts_inscription:templates/{}.pt".format
    config.add_pupil_page(views.PAGE_ROUTE, "", views.page_view, template("inscription"))
    config.add_pupil_page(
        views.STEP_ROUTE, "/etape/{number:[0-9]+}", views.StepView, template("step")
    )
    config.add_pupil_page(views.SUBMIT_ROUTE, "/deposer", views.submit_view, request_method="POST")
    config.add_pupil_page(views.RECEIPT_ROUTE, "/recepisse.pdf", views.receipt_view)
    # The office: the campaign's progress, or one file (?eleve=), on one route.
    config.add_staff_page(office.OFFICE_ROUTE, "", office.progress_view, template("office"))
    config.add_view(
        office.file_view,
        route_name=office.OFFICE_ROUTE,
        request_param="eleve",
        renderer=template("office_file"),
        permission=STAFF_PERMISSION,
    )
    config.add_staff_page(
        office.DECIDE_ROUTE,
        "/dossier/{pupil_id}/decision",
        office.decide_view,
        request_method="POST",
    )
    config.add_staff_page(
        office.RELAUNCH_ROUTE, "/relance", office.relaunch_view, request_method="POST"
    )
    config.add_staff_page(office.EXPORT_ROUTE, "/inscriptions.csv", office.export_view)
    config.add_staff_page(
        office.IMPORT_ROUTE,
        "/affectation",
        office.import_view,
        template("office_import"),
        body_limit=office.MAX_UPLOAD,
    )


@hookimpl
def ts_tile(request, pupil, settings):
    return views.dashboard_tile(request, pupil, settings)


@hookimpl
def ts_staff_tile(request, establishment):
    return office.office_tile(request, establishment)


@hookimpl
def ts_help():
    return HelpSection(title=_("La téléinscription"), template="ts_inscription:templates/help.pt")


@hookimpl
def ts_demo_data(site, establishment, pupils, rng, settings):
    demo.fill(site, establishment, pupils, rng, settings)


@hookimpl
def ts_pupil_data(site, pupil):
    """The pupil's file, and the pupil's line of the affectation lists."""
    registration = find_registration(pupil)
    store = find_site(site)
    affectations = [
        campaign.affectations[pupil.ine].export()
        for campaign in (store.campaigns.values() if store is not None else ())
        if pupil.ine and pupil.ine in campaign.affectations
    ]
    if registration is None and not affectations:
        return None
    return {
        "dossier": registration.export() if registration is not None else None,
        "affectation": affectations,
    }


@hookimpl
def ts_erase_pupil_data(site, pupil):
    pupil.services.pop(SERVICE_ID)
    store = find_site(site)
    for campaign in store.campaigns.values() if store is not None else ():
        campaign.release(pupil.id)
        if pupil.ine:
            campaign.affectations.pop(pupil.ine, None)


@hookimpl
def ts_import_formats():
    return [IMPORT_FORMAT]


@hookimpl
def ts_evolve_steps():
    return list(evolve.STEPS)
