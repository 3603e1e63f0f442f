"""The public API of the host, for téléservice plugins.

A plugin imports from here (or from ``ts_host.testing`` in its tests) and
from nowhere else in ``ts_host``; a test holds the bundled plugins to it.

This module only re-exports, grouped by the module that defines each name;
no module of the host imports it.  ``docs/plugins.md`` documents every name
and keeps the API's changelog.
"""

from .audit import audit
from .calendar import (
    DAY_NAMES,
    MONTHS,
    SCHOOL_DAYS_PER_WEEK,
    YEAR_KEY,
    DateRange,
    Week,
    date_ranges,
    day_label,
    find_date_range,
    find_week,
    monday_of,
    school_days,
    school_days_by_month,
    school_weeks,
    today,
)
from .changes import submit_responsable_changes
from .contract import (
    API_VERSION,
    RESPONSABLE_FIELDS,
    STAFF_EDIT_PERMISSION,
    STAFF_PERMISSION,
    AdminCommand,
    BadLine,
    CommandError,
    EvolveStep,
    HelpSection,
    ImportFormat,
    ImportRejected,
    ImportSummary,
    Progress,
    PupilContext,
    ServiceDescription,
    Tile,
    TileLink,
    hookimpl,
)
from .csvfile import read_csv
from .establishments import Contact, EstablishmentConfig, Period
from .formatting import format_date, format_decimal, parse_french_date
from .forms import CSRFSchema, FormView
from .i18n import of_name
from .importing import (
    Column,
    Importer,
    Line,
    NotFound,
    PupilFinder,
    neutralise,
    read_rows,
    write_csv,
)
from .layout import flash
from .mail import send_mail
from .models import Container, Pupil, Responsable, Site
from .models.structure import (
    Division,
    SubjectTeam,
    Teacher,
    TeachingService,
    divisions,
    principals,
    teaching_team,
)
from .notifications import report_event
from .pdf import FONT as PDF_FONT
from .pdf import FONT_BOLD as PDF_FONT_BOLD
from .pdf import register_fonts as register_pdf_fonts
from .prefetch import prefetch_tree
from .root import service_data, site_data
from .staff.uploads import ImportPage, UploadField, importer_page
from .throttle import allowed as throttle_allowed
from .throttle import record as throttle_record

__all__ = [  # noqa: RUF022 - grouped by defining module, as the imports above
    # audit
    "audit",
    # calendar
    "DAY_NAMES",
    "MONTHS",
    "SCHOOL_DAYS_PER_WEEK",
    "YEAR_KEY",
    "DateRange",
    "Week",
    "date_ranges",
    "day_label",
    "find_date_range",
    "find_week",
    "monday_of",
    "school_days",
    "school_days_by_month",
    "school_weeks",
    "today",
    # changes: a family's corrections handed to the service that reviews them
    "submit_responsable_changes",
    # contract
    "API_VERSION",
    "AdminCommand",
    "BadLine",
    "CommandError",
    "EvolveStep",
    "HelpSection",
    "ImportFormat",
    "ImportRejected",
    "ImportSummary",
    "Progress",
    "PupilContext",
    "RESPONSABLE_FIELDS",
    "STAFF_EDIT_PERMISSION",
    "STAFF_PERMISSION",
    "ServiceDescription",
    "Tile",
    "TileLink",
    "hookimpl",
    # csvfile
    "read_csv",
    # establishments
    "Contact",
    "EstablishmentConfig",
    "Period",
    # formatting
    "format_date",
    "format_decimal",
    "parse_french_date",
    # forms
    "CSRFSchema",
    "FormView",
    # i18n
    "of_name",
    # importing
    "Column",
    "Importer",
    "Line",
    "NotFound",
    "PupilFinder",
    "neutralise",
    "read_rows",
    "write_csv",
    # layout
    "flash",
    # mail
    "send_mail",
    # models
    "Container",
    "Pupil",
    "Responsable",
    "Site",
    # models.structure: the establishment's classes and teaching teams
    "Division",
    "SubjectTeam",
    "Teacher",
    "TeachingService",
    "divisions",
    "principals",
    "teaching_team",
    # notifications
    "report_event",
    # pdf: the fonts every PDF embeds
    "PDF_FONT",
    "PDF_FONT_BOLD",
    "register_pdf_fonts",
    # prefetch: a tree's buckets read in one round trip
    "prefetch_tree",
    # root
    "service_data",
    "site_data",
    # staff.uploads: an import page of the establishment office
    "ImportPage",
    "UploadField",
    "importer_page",
    # throttle: attempts counted in the database, across processes
    "throttle_allowed",
    "throttle_record",
]
