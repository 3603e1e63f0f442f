"""The SIECLE and STS-web imports on the web: upload, preview what would change, confirm.

The same readers and importers as ``ts-admin import siecle|sts``
(``admin.siecle``, ``admin.importer``, ``admin.sts``), run by the office's
import page (:class:`~ts_host.staff.uploads.ImportPage`): the preview runs
the import inside a savepoint and rolls it back, so what it announces is
exactly what the confirmation writes; a large export reports its progress.
"""

from __future__ import annotations

from pathlib import Path

from pyramid.view import view_config

from ..admin import reference_day
from ..admin.importer import import_siecle
from ..admin.siecle import read_exports
from ..admin.sts import import_sts, read_sts
from ..i18n import _
from .establishment import CODES
from .uploads import ImportPage, ProgressReport, UploadField

#: What one uploaded export may weigh: a large lycée's SIECLE exports are a
#: few MB zipped, up to about 80 MB as XML.
MAX_UPLOAD = 100 * 1024 * 1024
EXPORTS = (".xml", ".zip")


def run_siecle(request, paths: list[Path], preview: bool, report: ProgressReport):
    """The exports at ``paths`` imported for the page's establishment (audited once confirmed)."""
    context = request.context
    exports = read_exports(paths, report.reading)
    return import_siecle(
        request.site,
        context.uai,
        context.config.name,
        exports,
        reference_day(request.registry.settings),
        report.counting(exports.records),
        request=request,
        audited=not preview,
    )


def run_sts(request, paths: list[Path], preview: bool, report: ProgressReport):
    """The structure at ``paths`` put in place of the establishment's (audited once confirmed)."""
    context = request.context
    export = read_sts(paths, report.reading)
    return import_sts(
        request.site,
        context.uai,
        context.config.name,
        export,
        reference_day(request.registry.settings),
        report.counting(len(export.divisions)),
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
STS_PAGE = ImportPage(
    "sts",
    (UploadField("structure", _("Export STS-web"), _("sts_emp_UAI_année.xml ou .zip"), EXPORTS),),
    run_sts,
    "office",
    max_file=MAX_UPLOAD,
    label="STS-web",
)


@view_config(
    route_name="office_siecle",
    permission=CODES,
    renderer="ts_host:templates/staff/siecle.pt",
)
def siecle_import(request):
    return SIECLE_PAGE(request)


@view_config(
    route_name="office_sts",
    permission=CODES,
    renderer="ts_host:templates/staff/sts.pt",
)
def sts_import(request):
    return STS_PAGE(request)
