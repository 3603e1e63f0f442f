"""The per-establishment settings (``[establishments.<UAI>.settings.inscription]``)
and the colander schemas of the registration form's steps.

The settings hold the establishment's campaigns, one per level::

    [[establishments.0541234Y.settings.inscription.campaigns]]
    level = "6e"
    opens = 2027-02-01
    closes = 2027-03-15
    languages = ["Anglais", "Allemand"]
    regimes = ["externe", "demi-pensionnaire"]
    transport = true
    options = [{ name = "Latin", places = 30 }, { name = "Section sportive" }]

Every node has a default, so enabling the service needs no table (and
opens no campaign).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import colander
import deform

from ts_host.api import CSRFSchema

from .i18n import _

REGIMES = {
    "externe": _("Externe"),
    "demi-pensionnaire": _("Demi-pensionnaire"),
    "interne": _("Interne"),
}


class SettingsDate(colander.Date):
    """A date of the settings: TOML's own date (``2027-02-01``), or that text."""

    def deserialize(self, node, cstruct):
        if isinstance(cstruct, date) and not isinstance(cstruct, datetime):
            return cstruct
        try:
            return super().deserialize(node, cstruct)
        except colander.Invalid:
            raise colander.Invalid(node, "date attendue, au format AAAA-MM-JJ") from None


def _date_node(name: str) -> colander.SchemaNode:
    return colander.SchemaNode(SettingsDate(), name=name)


class OptionSchema(colander.MappingSchema):
    name = colander.SchemaNode(colander.String(), validator=colander.Length(min=1, max=80))
    places = colander.SchemaNode(
        colander.Integer(), missing=None, validator=colander.Range(min=1, min_err="au moins ${min}")
    )


def _check_campaign(node, value) -> None:
    if value["closes"] < value["opens"]:
        raise colander.Invalid(node, "la clôture (closes) précède l'ouverture (opens)")


def campaign_schema() -> colander.SchemaNode:
    schema = colander.MappingSchema(validator=_check_campaign)
    schema.add(colander.SchemaNode(colander.String(), name="level"))
    schema.add(_date_node("opens"))
    schema.add(_date_node("closes"))
    schema.add(
        colander.SequenceSchema(
            colander.SchemaNode(colander.String()), name="languages", missing=()
        )
    )
    schema.add(
        colander.SequenceSchema(
            colander.SchemaNode(colander.String(), validator=colander.OneOf(list(REGIMES))),
            name="regimes",
            missing=("externe", "demi-pensionnaire"),
        )
    )
    schema.add(
        colander.SchemaNode(
            colander.Boolean(
                false_choices=("false", "0", "non"), true_choices=("true", "1", "oui")
            ),
            name="transport",
            missing=False,
        )
    )
    schema.add(colander.SequenceSchema(OptionSchema(), name="options", missing=()))
    return schema


def _unique_levels(node, value) -> None:
    levels = [campaign["level"] for campaign in value]
    if len(levels) != len(set(levels)):
        raise colander.Invalid(node, "deux campagnes pour le même niveau")


def settings_schema() -> colander.SchemaNode:
    schema = colander.MappingSchema()
    schema.add(
        colander.SequenceSchema(
            campaign_schema(), name="campaigns", missing=(), validator=_unique_levels
        )
    )
    return schema


@dataclass(frozen=True)
class CampaignOffer:
    """A campaign as the settings describe it."""

    uai: str
    level: str
    opens: date
    closes: date
    languages: tuple[str, ...]
    regimes: tuple[str, ...]
    transport: bool
    options: tuple[tuple[str, int | None], ...]

    def is_open(self, day: date) -> bool:
        return self.opens <= day <= self.closes

    @property
    def limits(self) -> dict[str, int]:
        return {name: places for name, places in self.options if places}


def offers(uai: str, settings: dict) -> list[CampaignOffer]:
    """The campaigns that an establishment's validated settings declare."""
    return [
        CampaignOffer(
            uai=uai,
            level=campaign["level"],
            opens=campaign["opens"],
            closes=campaign["closes"],
            languages=tuple(campaign["languages"]),
            regimes=tuple(campaign["regimes"]),
            transport=campaign["transport"],
            options=tuple((o["name"], o["places"]) for o in campaign["options"]),
        )
        for campaign in settings.get("campaigns", ())
    ]


# --- the steps of the family's form ------------------------------------------


class VersionedSchema(CSRFSchema):
    """Every step carries the version of the file it was shown on."""

    version = colander.SchemaNode(colander.Integer(), widget=deform.widget.HiddenWidget())


class PupilStep(VersionedSchema):
    """The pupil: what the affectation says, and what the family confirms."""

    birth_place = colander.SchemaNode(
        colander.String(),
        title=_("Commune de naissance"),
        validator=colander.Length(max=80),
    )
    previous_school = colander.SchemaNode(
        colander.String(),
        title=_("Établissement fréquenté cette année"),
        validator=colander.Length(max=120),
    )
    health = colander.SchemaNode(
        colander.String(),
        title=_("Informations de santé à connaître (facultatif)"),
        missing="",
        validator=colander.Length(max=500),
        widget=deform.widget.TextAreaWidget(rows=3),
    )


class ResponsableNode(colander.MappingSchema):
    """One responsable's contact data, pre-filled from the school's records."""

    responsable_id = colander.SchemaNode(colander.String(), widget=deform.widget.HiddenWidget())
    email = colander.SchemaNode(
        colander.String(), title=_("Courriel"), missing="", validator=colander.Email()
    )
    phone_mobile = colander.SchemaNode(
        colander.String(),
        title=_("Téléphone portable"),
        missing="",
        validator=colander.Regex(r"^[0-9 +.]{0,20}$", msg=_("Numéro de téléphone invalide")),
    )
    line1 = colander.SchemaNode(
        colander.String(), title=_("Adresse"), missing="", validator=colander.Length(max=120)
    )
    postcode = colander.SchemaNode(
        colander.String(),
        title=_("Code postal"),
        missing="",
        validator=colander.Regex(r"^[0-9A-Z ]{0,10}$", msg=_("Code postal invalide")),
    )
    city = colander.SchemaNode(
        colander.String(), title=_("Commune"), missing="", validator=colander.Length(max=80)
    )


class ResponsablesStep(VersionedSchema):
    responsables = colander.SequenceSchema(
        ResponsableNode(title=_("Responsable")),
        title=_("Vos coordonnées"),
        widget=deform.widget.SequenceWidget(min_len=1, max_len=2, orderable=False),
    )


#: The fields of a responsable the family may correct, named as the host's
#: ``RESPONSABLE_FIELDS`` (what a change request of the fiche takes).
RESPONSABLE_FIELDS = ("email", "phone_mobile", "line1", "postcode", "city")
#: How the office names each of them.
RESPONSABLE_LABELS = {
    node.name: node.title for node in ResponsableNode().children if node.name in RESPONSABLE_FIELDS
}


class ChoicesStep(VersionedSchema):
    """The choices the campaign offers; the widgets are filled per campaign."""

    language = colander.SchemaNode(colander.String(), title=_("Langue vivante"), missing="")
    options = colander.SchemaNode(colander.Set(), title=_("Enseignements optionnels"), missing=())
    regime = colander.SchemaNode(colander.String(), title=_("Régime"))
    transport = colander.SchemaNode(
        colander.Boolean(),
        title=_("Transport scolaire"),
        description=_("L'élève prendra le transport scolaire"),
        missing=False,
    )


class AuthorisationsStep(VersionedSchema):
    image = colander.SchemaNode(
        colander.Boolean(),
        title=_("Droit à l'image"),
        description=_(
            "J'autorise l'établissement à photographier ou filmer l'élève pour ses publications"
        ),
        missing=False,
    )
    outings = colander.SchemaNode(
        colander.Boolean(),
        title=_("Sorties"),
        description=_(
            "J'autorise l'élève à participer aux sorties pédagogiques sur le temps scolaire"
        ),
        missing=False,
    )
    leave = colander.SchemaNode(
        colander.Boolean(),
        title=_("Sortie de l'établissement"),
        description=_(
            "J'autorise l'élève à quitter l'établissement en l'absence d'un professeur "
            "en fin de journée"
        ),
        missing=False,
    )


STEP_SCHEMAS = {
    "eleve": PupilStep,
    "responsables": ResponsablesStep,
    "choix": ChoicesStep,
    "autorisations": AuthorisationsStep,
}
STEP_TITLES = {
    "eleve": _("L'élève"),
    "responsables": _("Les responsables"),
    "choix": _("Les choix"),
    "autorisations": _("Les autorisations"),
    "recapitulatif": _("Le récapitulatif"),
}
