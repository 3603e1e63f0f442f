"""Colander schemas of the account forms, with the guide's labels."""

from __future__ import annotations

import re
from datetime import date

import colander
import deform

from ..forms import CSRFSchema
from ..i18n import _
from ..keypad import KeypadWidget
from ..password_policy import (
    MAX_LENGTH,
    MIN_LENGTH,
    PASSPHRASE_MAX,
    PASSPHRASE_MIN,
    normalise_passphrase,
)
from .widgets import ActivationCodeWidget

#: The guide's eight questions (section 2.2.3).
QUESTIONS = (
    "Le nom de votre animal de compagnie ?",
    "Le nom de jeune fille de votre mère ?",
    "Quel est votre plat préféré ?",
    "Nom de ma première école au secondaire ?",
    "Mon lieu de naissance ?",
    "Mon heure de naissance (HHMM) ?",
    "Mon deuxième prénom ?",
    "Nom de rue de mon premier appartement ?",
)
MAX_TEXT = 100
INITIAL_CHILD_ROWS = 3
MAX_CHILD_ROWS = 10

#: The identifiant's rule, once: the pattern checked, and the sentence that
#: both the field's hint and its error message show.
LOGIN_MIN, LOGIN_MAX = 3, 64
LOGIN_RE = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._@-]{{{LOGIN_MIN - 1},{LOGIN_MAX - 1}}}")
LOGIN_RULE = _(
    "De ${min} à ${max} caractères : lettres sans accent, chiffres, point, tiret, "
    "souligné (_) ou @, en commençant par une lettre ou un chiffre.",
    mapping={"min": LOGIN_MIN, "max": LOGIN_MAX},
)


def login_validator(node, value):
    if not LOGIN_RE.fullmatch(value):
        raise colander.Invalid(node, LOGIN_RULE)


def login_node(title):
    """A chosen identifiant: its hint is the rule its validator holds it to."""
    return colander.SchemaNode(
        colander.String(),
        title=title,
        description=LOGIN_RULE,
        validator=login_validator,  # the length too, so that one sentence answers
        preparer=strip,
    )


#: « 02/01/2009 », « 2/1/2009 », « 02.01.2009 », « 02-01-2009 », or « 02012009 »:
#: a phone's numeric keypad has no slash.
FRENCH_DATE_RE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})|(\d{2})(\d{2})(\d{4})")
DATE_FORMAT_ERROR = _("Date invalide : écrivez-la jj/mm/aaaa, par exemple 02/01/2009.")


class FrenchDate(colander.SchemaType):
    """A date typed jj/mm/aaaa, whatever the language of the browser.

    An ``<input type="date">`` shows the browser's own format (mm/dd/yyyy in
    an English one) beside a hint that says jj/mm/aaaa; so the field is a
    text input (numeric keyboard on phones), as the DSFR's guidance on date
    fields does, and the server reads the day first. No ``pattern``
    attribute: the browser would answer a mismatch in its own language,
    where this type answers in French.
    """

    def serialize(self, node, appstruct):
        if appstruct in (colander.null, None):
            return colander.null
        return appstruct.strftime("%d/%m/%Y")

    def deserialize(self, node, cstruct):
        if cstruct in (colander.null, None):
            return colander.null
        if not isinstance(cstruct, str):
            raise colander.Invalid(node, _("Saisie invalide"))
        typed = "".join(cstruct.split())
        if not typed:
            return colander.null
        found = FRENCH_DATE_RE.fullmatch(typed)
        if found is None:
            raise colander.Invalid(node, DATE_FORMAT_ERROR)
        day, month, year = (int(part) for part in found.groups() if part is not None)
        try:
            return date(year, month, day)
        except ValueError:
            raise colander.Invalid(
                node,
                _(
                    "Cette date n'existe pas : vérifiez le jour et le mois "
                    "(jj/mm/aaaa, par exemple 02/01/2009)."
                ),
            ) from None


def strip(value):
    return value.strip() if isinstance(value, str) else value


def text(
    title,
    *,
    description="",
    missing=colander.required,
    max_length=MAX_TEXT,
    validator=None,
    **kw,
):
    length = colander.Length(max=max_length, max_err=_("${max} caractères au plus"))
    return colander.SchemaNode(
        colander.String(),
        title=title,
        description=description,
        missing=missing,
        validator=colander.All(length, validator) if validator else length,
        preparer=strip,
        **kw,
    )


KEYPAD_HINT = _("(6 chiffres minimum, 8 conseillés) sur le clavier ci-dessous")
PASSPHRASE_HINT = _(
    "De ${min} à ${max} caractères, de toute sorte : une phrase de plusieurs mots est facile "
    "à retenir. Votre gestionnaire de mots de passe peut le remplir.",
    mapping={"min": PASSPHRASE_MIN, "max": PASSPHRASE_MAX},
)


def by_policy(keypad, passphrase):
    """A schema attribute chosen, when the form is bound, by the academy's password policy."""

    @colander.deferred
    def choose(node, kw):
        return keypad if kw["request"].password_policy.keypad else passphrase

    return choose


def typed_password(autocomplete: str) -> deform.widget.PasswordWidget:
    """A normal password field, which password managers fill in."""
    return deform.widget.PasswordWidget(
        strip=False,  # every character counts, spaces at the ends too
        attributes={
            "autocomplete": autocomplete,
            "maxlength": str(PASSPHRASE_MAX),
            "autocapitalize": "none",
            "spellcheck": "false",
        },
    )


def chosen_password(title, description=KEYPAD_HINT):
    """A new password: on the keypad, or typed, as the policy says."""
    return colander.SchemaNode(
        colander.String(),
        title=title,
        description=by_policy(description, PASSPHRASE_HINT),
        widget=by_policy(KeypadWidget(), typed_password("new-password")),
        preparer=by_policy(None, normalise_passphrase),
        validator=by_policy(
            colander.Length(
                min=MIN_LENGTH,
                max=MAX_LENGTH,
                min_err=_("6 chiffres au moins"),
                max_err=_("10 chiffres au plus"),
            ),
            colander.Length(
                min=PASSPHRASE_MIN,
                max=PASSPHRASE_MAX,
                min_err=_("${min} caractères au moins"),
                max_err=_("${max} caractères au plus"),
            ),
        ),
    )


def entered_password(title, keypad_hint=""):
    """The password one already has (login, re-authentication)."""
    return colander.SchemaNode(
        colander.String(),
        title=title,
        description=by_policy(keypad_hint, ""),
        widget=by_policy(KeypadWidget(), typed_password("current-password")),
        preparer=by_policy(None, normalise_passphrase),
        validator=colander.Length(max=PASSPHRASE_MAX, max_err=_("${max} caractères au plus")),
    )


class ChildRow(colander.MappingSchema):
    """One line of "Vos enfants": a code, a first name, a birth date.

    Every column is optional at this level: a row left entirely empty is
    ignored, a row partly filled is refused by ``ChildRows``.
    """

    code = colander.SchemaNode(
        colander.String(),
        title=_("Code Activation"),
        widget=ActivationCodeWidget(),
        missing="",
    )
    first_name = text(_("Prénom"), missing="", max_length=60)
    birth_date = colander.SchemaNode(FrenchDate(), title=_("Né(e) le"), missing=None)


def complete_rows(node, rows):
    filled = [row for row in rows if row["code"] or row["first_name"] or row["birth_date"]]
    if not filled:
        raise colander.Invalid(node, _("Indiquez au moins un code d'activation."))
    error = colander.Invalid(node, _("Complétez ou videz chaque ligne commencée."))
    for index, row in enumerate(rows):
        if row in filled and not (row["code"] and row["first_name"] and row["birth_date"]):
            error.add(
                colander.Invalid(
                    node.children[0],
                    _("Code, prénom et date de naissance sont tous nécessaires."),
                ),
                index,
            )
    if error.children:
        raise error


class ChildRows(colander.SequenceSchema):
    child = ChildRow(title=_("Enfant"))


class Credentials(colander.MappingSchema):
    """ "Votre identifiant et votre mot de passe"."""

    login = login_node(_("votre identifiant"))
    password = chosen_password(_("votre mot de passe"))
    confirmation = chosen_password(_("… confirmation du mot de passe"), "")
    email = colander.SchemaNode(
        colander.String(),
        title=_("votre adresse e-mail"),
        validator=colander.All(
            colander.Email(msg=_("Adresse e-mail invalide")), colander.Length(max=254)
        ),
        widget=deform.widget.TextInputWidget(attributes={"type": "email", "autocomplete": "email"}),
    )


def question_choices():
    return [("", _("(sélectionnez)"))] + [(q, q) for q in QUESTIONS]


class Questions(colander.MappingSchema):
    """ "Vos questions"."""

    question1 = colander.SchemaNode(
        colander.String(),
        title=_("question 1"),
        validator=colander.OneOf(QUESTIONS),
        widget=deform.widget.SelectWidget(values=question_choices()),
    )
    answer1 = text(_("réponse 1"))
    question2 = colander.SchemaNode(
        colander.String(),
        title=_("question 2"),
        validator=colander.OneOf(QUESTIONS),
        widget=deform.widget.SelectWidget(values=question_choices()),
    )
    answer2 = text(_("réponse 2"))
    question3 = text(_("question personnalisée"))
    answer3 = text(_("réponse personnalisée"))


def distinct_questions(node, value):
    """Question 2 must differ from question 1 (``node`` holds a ``questions`` mapping)."""
    questions = value["questions"]
    if questions["question1"] == questions["question2"]:
        error = colander.Invalid(node, _("Choisissez deux questions différentes."))
        inner = colander.Invalid(node["questions"])
        inner["question2"] = _("Choisissez une question différente de la question 1.")
        error.add(inner, node.children.index(node["questions"]))
        raise error


def valid_registration(node, value):
    distinct_questions(node, value)
    credentials = value["credentials"]
    if credentials["password"] != credentials["confirmation"]:
        error = colander.Invalid(node, _("La confirmation ne correspond pas au mot de passe."))
        inner = colander.Invalid(node["credentials"])
        inner["confirmation"] = _("La confirmation ne correspond pas au mot de passe.")
        error.add(inner, node.children.index(node["credentials"]))
        raise error


class CreateResponsableSchema(CSRFSchema):
    children = ChildRows(
        title=_("Vos enfants"),
        validator=complete_rows,
        description=_(
            "Indiquez pour chaque enfant le code d'activation figurant "
            "sur le courrier reçu, ainsi que son prénom et sa date de "
            "naissance."
        ),
        widget=deform.widget.SequenceWidget(template="children", max_len=MAX_CHILD_ROWS),
    )
    credentials = Credentials(
        title=_("Votre identifiant et votre mot de passe"),
        description=_(
            "Choisissez l'identifiant et le mot de passe qui vous "
            "permettront par la suite de vous authentifier et "
            "d'accéder à ce site."
        ),
    )
    questions = Questions(
        title=_("Vos questions"),
        description=_(
            "En cas d'oubli de votre mot de passe, ces questions "
            "vous seront posées afin de vérifier votre identité."
        ),
    )

    def __init__(self, *args, **kw):
        super().__init__(*args, validator=valid_registration, **kw)


class CreatePupilSchema(CreateResponsableSchema):
    children = ChildRows(
        title=_("Activation de votre compte"),
        validator=complete_rows,
        description=_(
            "Indiquez le code qui vous a été transmis par votre "
            "établissement, votre prénom et votre date de naissance."
        ),
        widget=deform.widget.SequenceWidget(template="children", max_len=1),
    )


class LoginSchema(CSRFSchema):
    login = text(
        _("votre identifiant"),
        max_length=64,
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "username"}),
    )
    password = entered_password(
        _("votre mot de passe"), _("Composez votre mot de passe sur le clavier.")
    )


def email_node(title=None):
    return colander.SchemaNode(
        colander.String(),
        title=title or _("votre adresse e-mail"),
        preparer=strip,
        validator=colander.All(
            colander.Email(msg=_("Adresse e-mail invalide")), colander.Length(max=254)
        ),
        widget=deform.widget.TextInputWidget(attributes={"type": "email", "autocomplete": "email"}),
    )


class ForgotLoginSchema(CSRFSchema):
    email = email_node()


class ForgotPasswordSchema(CSRFSchema):
    login = text(_("votre identifiant"), max_length=64)
    email = email_node()


class AnswersSchema(CSRFSchema):
    """The three answers; titles are set from the account's questions."""

    answer1 = text(_("réponse 1"))
    answer2 = text(_("réponse 2"))
    answer3 = text(_("réponse 3"))


def password_pair(node, value):
    if value["password"] != value["confirmation"]:
        error = colander.Invalid(node, _("La confirmation ne correspond pas au mot de passe."))
        error["confirmation"] = _("La confirmation ne correspond pas au mot de passe.")
        raise error


class NewPasswordSchema(CSRFSchema):
    password = chosen_password(_("nouveau mot de passe"))
    confirmation = chosen_password(_("… confirmation du mot de passe"), "")

    def __init__(self, *args, **kw):
        super().__init__(*args, validator=password_pair, **kw)


def current_password():
    return entered_password(_("votre mot de passe actuel"))


class ChangeLoginSchema(CSRFSchema):
    login = login_node(_("nouvel identifiant"))
    current = current_password()


class ChangeEmailSchema(CSRFSchema):
    email = email_node(_("nouvelle adresse e-mail"))
    current = current_password()


class ChangePasswordSchema(NewPasswordSchema):
    current = current_password()


KEEP_ANSWER = _("Laissez vide pour garder la réponse enregistrée, si la question ne change pas.")


class ChangedQuestions(Questions):
    """The account's questions, shown as they are; an answer is asked only
    where its question changes (the view checks it), since the stored
    answers are hashes and cannot be shown back."""

    answer1 = text(_("réponse 1"), missing="", description=KEEP_ANSWER)
    answer2 = text(_("réponse 2"), missing="", description=KEEP_ANSWER)
    answer3 = text(_("réponse personnalisée"), missing="", description=KEEP_ANSWER)


class ChangeQuestionsSchema(CSRFSchema):
    questions = ChangedQuestions(title=_("Vos questions"))
    current = current_password()

    def __init__(self, *args, **kw):
        super().__init__(*args, validator=distinct_questions, **kw)


class AttachSchema(CSRFSchema):
    children = ChildRows(
        title=_("Rattacher un enfant"),
        validator=complete_rows,
        description=_(
            "Le code d'activation reçu pour cet enfant, son prénom et sa date de naissance."
        ),
        widget=deform.widget.SequenceWidget(template="children", max_len=1),
    )


class DeleteSchema(CSRFSchema):
    current = current_password()
