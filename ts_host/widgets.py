"""Deform set up for the DSFR: our widget templates, translated through Pyramid.

``config.include('ts_host.widgets')`` makes every deform form look in
``ts_host:templates/deform`` first and in deform's own templates second, and
translates the strings of the templates, of deform and of colander with the
localizer of the current request.
"""

from pathlib import Path

import deform
from pyramid.i18n import get_localizer
from pyramid.settings import asbool
from pyramid.threadlocal import get_current_request

TEMPLATES_DIR = Path(__file__).parent / "templates" / "deform"


def search_path():
    """Directories searched for deform templates, ours first."""
    return (str(TEMPLATES_DIR), deform.template.default_dir)


def translator(term):
    """Translate ``term`` (often a TranslationString) for the current request."""
    request = get_current_request()
    if request is None:
        return term.interpolate() if hasattr(term, "interpolate") else term
    return get_localizer(request).translate(term)


def includeme(config):
    config.add_translation_dirs("colander:locale", "deform:locale")
    settings = config.get_settings()
    reload_templates = asbool(settings.get("pyramid.reload_templates", False))
    deform.Field.set_zpt_renderer(
        search_path(),
        translator=translator,
        auto_reload=reload_templates,
        debug=reload_templates,
    )
