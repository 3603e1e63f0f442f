"""The SIECLE import on the web: upload, preview what would change, confirm.

The same reader and importer as ``ts-admin import siecle``
(``admin.siecle.read_exports``, ``admin.importer.import_siecle``), run by
the office's import page (:class:`~ts_host.staff.uploads.ImportPage`): the
preview runs the import inside a savepoint and rolls it back, so what it
announces is exactly what the confirmation writes.
"""

from __future__ import annotations

from pathlib import Path

from pyramid.view import view_config

from ..admin import reference_day
from ..admin.importer import import_siecle
from ..admin.siecle import read_exports
from ..i18n import _
from .establishment import CODES
from .uploads import ImportPage, UploadField

#: What one SIECLE upload may weigh: a large lycée's two zip exports are a few MB.
MAX_UPLOAD = 40 * 1024 * 1024
EXPORTS = (".xml", ".zip")


def run_siecle(request, paths: list[Path], preview: bool):
    """The exports at ``paths`` imported for the page's establishment (audited once confirmed)."""
    context = request.context
    return import_siecle(
        request.site,
        context.uai,
        context.config.name,
        read_exports(paths),
        reference_day(request.registry.settings),
        request=request,
        audited=not preview,
    )


SIECLE_PAGE = ImportPage(
    "siecle",
    (
        UploadField("eleves", _("Export des élèves"), _("ElevesSansAdresses.zip ou .xml"), EXPORTS),
        UploadField(
            "responsables",
            _("Export des responsables"),
            _("ResponsablesAvecAdresses.zip ou .xml"),
            EXPORTS,
        ),
    ),
    run_siecle,
    "office",
    max_file=MAX_UPLOAD,
    label="SIECLE",
)


@view_config(
    route_name="office_siecle",
    permission=CODES,
    renderer="ts_host:templates/staff/siecle.pt",
)
def siecle_import(request):
    return SIECLE_PAGE(request)
