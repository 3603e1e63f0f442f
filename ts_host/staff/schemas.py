"""Forms of the establishment office's sign-in and staff administration."""

from __future__ import annotations

import colander
import deform

from ..accounts.schemas import email_node, login_node, password_pair, strip, text, typed_password
from ..forms import CSRFSchema
from ..i18n import _
from ..models import Role
from ..models.staff import ROLE_LABELS
from ..password_policy import PASSPHRASE_MAX, PASSPHRASE_MIN, normalise_passphrase

STAFF_PASSWORD_HINT = _(
    "De ${min} à ${max} caractères, de toute sorte : une phrase de plusieurs mots est "
    "facile à retenir. Votre gestionnaire de mots de passe peut le remplir.",
    mapping={"min": PASSPHRASE_MIN, "max": PASSPHRASE_MAX},
)


def staff_password(title, autocomplete, description=""):
    """A staff password: typed (never the families' keypad), 12 to 128 characters."""
    return colander.SchemaNode(
        colander.String(),
        title=title,
        description=description,
        widget=typed_password(autocomplete),
        preparer=normalise_passphrase,
        validator=colander.Length(max=PASSPHRASE_MAX, max_err=_("${max} caractères au plus")),
    )


def one_time_code(title, description):
    return colander.SchemaNode(
        colander.String(),
        title=title,
        description=description,
        preparer=strip,
        validator=colander.Length(max=32, max_err=_("${max} caractères au plus")),
        widget=deform.widget.TextInputWidget(
            attributes={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )


class StaffLoginSchema(CSRFSchema):
    login = text(
        _("identifiant"),
        max_length=64,
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "username"}),
    )
    password = staff_password(_("mot de passe"), "current-password")


class SecondFactorSchema(CSRFSchema):
    code = one_time_code(
        _("code de vérification"),
        _(
            "Les 6 chiffres affichés par votre application d'authentification, ou l'un de "
            "vos codes de secours (10 caractères)."
        ),
    )


class EnrolSchema(CSRFSchema):
    code = one_time_code(
        _("code affiché par l'application"),
        _("Les 6 chiffres que l'application affiche après avoir lu le QR code."),
    )


class ActivateSchema(CSRFSchema):
    password = staff_password(_("mot de passe"), "new-password", STAFF_PASSWORD_HINT)
    confirmation = staff_password(_("confirmation du mot de passe"), "new-password")

    def __init__(self, *args, **kw):
        super().__init__(*args, validator=password_pair, **kw)


@colander.deferred
def establishment_choices(node, kw):
    academy = kw["request"].academy
    return deform.widget.CheckboxChoiceWidget(
        values=[(uai, f"{config.name} ({uai})") for uai, config in academy.establishments.items()]
    )


class NewStaffSchema(CSRFSchema):
    login = login_node(_("identifiant"))
    name = text(_("nom et prénom"))
    email = email_node(_("adresse e-mail professionnelle"))
    role = colander.SchemaNode(
        colander.String(),
        title=_("rôle"),
        validator=colander.OneOf([role.value for role in Role]),
        widget=deform.widget.RadioChoiceWidget(
            values=[(role.value, ROLE_LABELS[role]) for role in Role]
        ),
    )
    uais = colander.SchemaNode(
        colander.Set(),
        title=_("établissements"),
        description=_("Sans objet pour le rôle Académie, qui voit tous les établissements."),
        missing=frozenset(),
        widget=establishment_choices,
    )

    def validator(self, node, value):
        if value["role"] != Role.ACADEMIE and not value["uais"]:
            error = colander.Invalid(node, _("Choisissez au moins un établissement."))
            error["uais"] = _("Choisissez au moins un établissement.")
            raise error
