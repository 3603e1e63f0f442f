"""Colander schemas: the change form, its checks, and the establishment settings."""

from __future__ import annotations

import contextlib
import re
from typing import Any

import colander
import deform

from ts_host.api import CSRFSchema

from .i18n import _
from .models import ADDRESS_FIELDS, PHONE_FIELDS

#: What the pages call each field.
LABELS = {
    "line1": _("Adresse"),
    "line2": _("Complément d'adresse"),
    "line3": _("Complément d'adresse (suite)"),
    "postcode": _("Code postal"),
    "city": _("Commune"),
    "country": _("Pays"),
    "phone_personal": _("Téléphone personnel"),
    "phone_mobile": _("Téléphone portable"),
    "phone_work": _("Téléphone professionnel"),
    "email": _("Adresse e-mail"),
    "sms_consent": _("Accepte de recevoir des SMS de l'établissement"),
    "profession": _("Profession"),
}

FRANCE = "FRANCE"
ADDRESS_LINE_MAX = 50  # SIECLE's LIGNE1_ADRESSE … LIGNE4_ADRESSE
FOREIGN_POSTCODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9 -]{1,9}$")
PHONE_SEPARATORS_RE = re.compile(r"[\s.\-/]")


def is_french_postcode(text: str) -> bool:
    """Five digits of a real département: 01–95 (Corse is 20), the DROM
    971–978, Monaco (980) and the collectivités of the Pacific (986–988)."""
    if not re.fullmatch(r"\d{5}", text):
        return False
    departement = int(text[:2])
    if 1 <= departement <= 95:
        return True
    third = int(text[2])
    if departement == 97:
        return 1 <= third <= 8
    if departement == 98:
        return third in (0, 6, 7, 8) and int(text) <= 98890
    return False


def normalise_phone(text: str) -> str:
    """``06 12 34 56 78`` from a French number typed with or without spaces,
    dots or dashes, or in the +33 form; ``+<digits>`` for a foreign number.

    Raise ``ValueError`` when it is neither.
    """
    compact = PHONE_SEPARATORS_RE.sub("", text.replace("(0)", ""))
    if compact.startswith("+33"):
        compact = "0" + compact[3:]
    elif compact.startswith("0033"):
        compact = "0" + compact[4:]
    if re.fullmatch(r"0[1-9]\d{8}", compact):
        return " ".join(compact[i : i + 2] for i in range(0, 10, 2))
    if re.fullmatch(r"\+[1-9]\d{6,14}", compact):
        return compact
    raise ValueError(text)


def is_france(country: str) -> bool:
    return country in ("", FRANCE)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _upper(value):
    return " ".join(value.upper().split()) if isinstance(value, str) else value


def text(title, *, max_length: int, missing: Any = "", preparer=_strip, **kw):
    return colander.SchemaNode(
        colander.String(),
        title=title,
        missing=missing,
        preparer=preparer,
        validator=colander.Length(max=max_length, max_err=_("${max} caractères au plus")),
        **kw,
    )


def text_input(autocomplete: str, input_type: str = "text"):
    return deform.widget.TextInputWidget(
        attributes={"autocomplete": autocomplete, "type": input_type}
    )


class PhoneNumber(colander.String):
    """A phone number, normalised as it is deserialised."""

    def deserialize(self, node, cstruct):
        value = super().deserialize(node, cstruct)
        if value is colander.null or not value.strip():
            return colander.null
        try:
            return normalise_phone(value.strip())
        except ValueError:
            raise colander.Invalid(
                node,
                _(
                    "Numéro invalide : 10 chiffres commençant par 0 (03 83 12 34 56) "
                    "ou format international (+33 3 83 12 34 56)."
                ),
            ) from None


def phone(title, autocomplete: str):
    return colander.SchemaNode(
        PhoneNumber(),
        title=title,
        missing="",
        widget=text_input(autocomplete, "tel"),
    )


def check_address(node, value) -> None:
    """A French address needs a real postcode; a foreign one a plausible one."""
    postcode = value["postcode"]
    if is_france(value["country"]):
        if not is_french_postcode(postcode):
            error = colander.Invalid(node)
            error["postcode"] = _(
                "Code postal invalide : 5 chiffres d'un département français (par exemple 54000)."
            )
            raise error
    elif postcode and not FOREIGN_POSTCODE_RE.match(postcode.upper()):
        error = colander.Invalid(node)
        error["postcode"] = _("Code postal invalide : lettres, chiffres, espaces ou tirets.")
        raise error


class AddressSchema(colander.MappingSchema):
    line1 = text(
        LABELS["line1"],
        max_length=ADDRESS_LINE_MAX,
        missing=colander.required,
        description=_("Numéro et voie, ou lieu-dit"),
        widget=text_input("address-line1"),
    )
    line2 = text(
        LABELS["line2"],
        max_length=ADDRESS_LINE_MAX,
        description=_("Bâtiment, escalier, appartement…"),
        widget=text_input("address-line2"),
    )
    line3 = text(LABELS["line3"], max_length=ADDRESS_LINE_MAX, widget=text_input("address-line3"))
    postcode = text(
        LABELS["postcode"],
        max_length=10,
        preparer=_upper,
        description=_("5 chiffres pour une adresse en France"),
        widget=text_input("postal-code"),
    )
    city = text(
        LABELS["city"],
        max_length=ADDRESS_LINE_MAX,
        missing=colander.required,
        preparer=_upper,
        widget=text_input("address-level2"),
    )
    country = text(
        LABELS["country"],
        max_length=ADDRESS_LINE_MAX,
        missing=FRANCE,
        preparer=_upper,
        widget=text_input("country-name"),
    )


class PhonesSchema(colander.MappingSchema):
    phone_personal = phone(LABELS["phone_personal"], "home tel")
    phone_mobile = phone(LABELS["phone_mobile"], "mobile tel")
    phone_work = phone(LABELS["phone_work"], "work tel")


class FicheSchema(CSRFSchema):
    """The responsable's data, as they want the establishment to record it."""

    address = AddressSchema(title=_("Adresse"), validator=check_address)
    phones = PhonesSchema(
        title=_("Téléphones"),
        description=_(
            "10 chiffres, par exemple 06 12 34 56 78, ou au format "
            "international : +33 6 12 34 56 78."
        ),
    )
    email = colander.SchemaNode(
        colander.String(),
        title=LABELS["email"],
        missing="",
        preparer=_strip,
        validator=colander.All(
            colander.Email(msg=_("Adresse e-mail invalide")), colander.Length(max=254)
        ),
        widget=text_input("email", "email"),
    )
    sms_consent = colander.SchemaNode(
        colander.Boolean(),
        title=_("J'accepte de recevoir des SMS de l'établissement"),
        missing=False,
        description=_(
            "Pour être prévenu(e) d'une absence ou d'un imprévu : un téléphone "
            "portable est alors nécessaire."
        ),
        widget=deform.widget.CheckboxWidget(),
    )
    profession = text(LABELS["profession"], max_length=100, widget=text_input("organization-title"))

    def validator(self, node, value) -> None:
        if value["sms_consent"] and not value["phones"]["phone_mobile"]:
            error = colander.Invalid(node)
            error["sms_consent"] = _("Indiquez un téléphone portable pour recevoir des SMS.")
            raise error


def to_values(appstruct: dict[str, Any]) -> dict[str, Any]:
    """The form's nested appstruct, flattened to the keys of ``models.FIELDS``."""
    values = {key: appstruct["address"][key] for key in ADDRESS_FIELDS}
    values.update({key: appstruct["phones"][key] for key in PHONE_FIELDS})
    values.update({key: appstruct[key] for key in ("email", "sms_consent", "profession")})
    return values


def to_appstruct(values: dict[str, Any]) -> dict[str, Any]:
    """The reverse of :func:`to_values`, to fill the form."""
    return {
        "address": {key: values[key] for key in ADDRESS_FIELDS},
        "phones": {key: values[key] for key in PHONE_FIELDS},
        **{key: values[key] for key in ("email", "sms_consent", "profession")},
    }


def comparable(values: dict[str, Any]) -> dict[str, Any]:
    """The school's values written as the form writes them, so that a field
    the responsable did not touch is never seen as a change."""
    result = dict(values)
    for key in PHONE_FIELDS:
        with contextlib.suppress(ValueError):  # kept as the school wrote it
            result[key] = normalise_phone(values[key]) if values[key] else ""
    for key in ("postcode", "city", "country"):
        result[key] = _upper(values[key])
    result["country"] = result["country"] or FRANCE
    return result


class FicheSettings(colander.MappingSchema):
    """``[establishments.<uai>.settings.fiche]`` in ``establishments.toml``."""

    message = colander.SchemaNode(
        colander.String(),
        missing="",
        default="",
        title="Message affiché en tête de la fiche (délais de prise en compte, pièces à fournir…)",
    )


def settings_schema() -> colander.MappingSchema:
    return FicheSettings()
