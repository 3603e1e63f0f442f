"""Autres rubriques: links to the academy's and the establishment's other services."""

from ts_host.api import HelpSection, ServiceDescription, hookimpl

from . import schemas, views
from .i18n import _
from .models import SERVICE_ID


@hookimpl
def ts_describe_service():
    return ServiceDescription(
        id=SERVICE_ID,
        title="Autres rubriques",
        description="Liens vers les autres services proposés (ENT, cahier de textes…).",
        version="1.0.0",
        order=90,
        requires_host=">=1.0,<2",
        settings_schema=schemas.settings_schema(),
        translation_domain="ts_external_link",
    )


@hookimpl
def ts_configure(config):
    """No page of its own: only its translations."""
    config.add_translation_dirs("ts_external_link:locale")


@hookimpl
def ts_tile(request, pupil, settings):
    return views.dashboard_tile(settings)


@hookimpl
def ts_help():
    return HelpSection(title=_("Autres rubriques"), template="ts_external_link:templates/help.pt")


@hookimpl
def ts_import_formats():
    return []


@hookimpl
def ts_pupil_data(pupil):
    return None


@hookimpl
def ts_erase_pupil_data(pupil):
    """Nothing to erase: the service holds no pupil data."""
