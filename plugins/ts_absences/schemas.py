"""Colander schemas: the establishment's settings and the families' two forms."""

from __future__ import annotations

import colander
import deform

from ts_host.api import CSRFSchema

from .i18n import _

#: The reasons a family chooses from when the establishment lists none.
DEFAULT_REASONS = (
    _("Maladie"),
    _("Rendez-vous médical"),
    _("Raison familiale"),
    _("Convocation officielle (examen, administration, justice)"),
    _("Transport (grève, intempéries)"),
    _("Autre"),
)
MAX_REASON = 100
MAX_COMMENT = 500
MAX_NOTE = 500

MORNING = "matin"
AFTERNOON = "apres-midi"
HALF_DAYS = ((MORNING, _("le matin")), (AFTERNOON, _("l'après-midi")))


class Reasons(colander.SequenceSchema):
    reason = colander.SchemaNode(
        colander.String(),
        validator=colander.Length(
            min=1, max=MAX_REASON, max_err=_("${max} caractères au plus"), min_err=_("vide")
        ),
    )


class AbsencesSettings(colander.MappingSchema):
    """``[establishments.<uai>.settings.absences]`` in ``establishments.toml``."""

    reasons = Reasons(
        missing=list(DEFAULT_REASONS),
        title="Motifs d'absence proposés aux familles",
        validator=colander.Length(min=1, min_err=_("au moins un motif")),
    )
    adult_pupils_justify = colander.SchemaNode(
        colander.Boolean(false_choices=("false", "0", "non"), true_choices=("true", "1", "oui")),
        missing=False,
        title="Un élève majeur justifie lui-même ses absences depuis son compte",
    )


def settings_schema() -> colander.MappingSchema:
    return AbsencesSettings()


def _clean(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def reason_node():
    """The reason, among the establishment's (choices set by the view)."""
    return colander.SchemaNode(
        colander.String(),
        title=_("Motif"),
        widget=deform.widget.SelectWidget(),
    )


def comment_node():
    return colander.SchemaNode(
        colander.String(),
        title=_("Commentaire"),
        description=_("Facultatif ; la vie scolaire le lira."),
        missing="",
        preparer=_clean,
        validator=colander.Length(max=MAX_COMMENT, max_err=_("${max} caractères au plus")),
        widget=deform.widget.TextAreaWidget(rows=3),
    )


class JustifySchema(CSRFSchema):
    """« Justifier une absence »: which one, why."""

    absence = colander.SchemaNode(
        colander.String(),
        title=_("Absence"),
        widget=deform.widget.SelectWidget(),
    )
    reason = reason_node()
    comment = comment_node()


class FrenchDate(colander.Date):
    err_template = _("Date invalide : JJ/MM/AAAA attendu.")


def date_node(title):
    return colander.SchemaNode(
        FrenchDate(),
        title=title,
        widget=deform.widget.DateInputWidget(),
    )


def half_day_node(title):
    return colander.SchemaNode(
        colander.String(),
        title=title,
        widget=deform.widget.RadioChoiceWidget(values=HALF_DAYS, inline=True),
        validator=colander.OneOf(
            [code for code, _label in HALF_DAYS], msg_err=_("Choisissez le matin ou l'après-midi.")
        ),
    )


class AnnounceSchema(CSRFSchema):
    """« Annoncer une absence »: from which half-day to which, why."""

    first_day = date_node(_("Premier jour d'absence"))
    first_half = half_day_node(_("À partir de"))
    last_day = date_node(_("Dernier jour d'absence"))
    last_half = half_day_node(_("Jusqu'à"))
    reason = reason_node()
    comment = comment_node()
