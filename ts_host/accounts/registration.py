"""Creating an account from activation codes (guide, sections 2.2 and 2.3).

All or nothing: every code is matched and every rule checked before the
first write, so a refused form leaves no account and consumes no code.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import colander
import peppercorn
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config, view_defaults

from .. import activation, throttle
from ..audit import audit
from ..forms import FormView
from ..i18n import _
from ..mail import send_mail
from ..models import Account, ActivationCode, CodeKind
from ..models.accounts import SecurityQuestion
from ..passwords import normalise_answer
from .schemas import INITIAL_CHILD_ROWS, CreatePupilSchema, CreateResponsableSchema

#: Code matching is throttled per client and per code, in the database.
CLIENT_LIMIT, CODE_LIMIT = 20, 5
WINDOW = timedelta(hours=1)
NO_MATCH = _(
    "Code d'activation, prénom ou date de naissance incorrect. Vérifiez le courrier "
    "reçu de l'établissement."
)
ROW_NO_MATCH = _(
    "Enfant ${number} : code d'activation, prénom ou date de naissance incorrect. "
    "Vérifiez le courrier reçu de l'établissement."
)


class CodesRefused(Exception):
    """A row of the form matches no usable code; ``row`` is its index, from 0."""

    def __init__(self, row: int) -> None:
        super().__init__(row)
        self.row = row


def refuse_row(view: FormView, appstruct: dict, row: int) -> dict:
    """The form again, saying which child's row is wrong, never why.

    Code, first name and date share one message, as the form must be no
    oracle (SECURITY-REQUIREMENTS 8); the row number only points to the line
    typed, on a form of several rows.
    """
    rows = len(appstruct["children"])
    message = NO_MATCH if rows == 1 else _(ROW_NO_MATCH, mapping={"number": row + 1})
    return view.invalid(appstruct, message, children={row: message})


@dataclass
class Registration:
    """What a valid form creates; built before anything is written."""

    kind: str
    login: str
    email: str
    password: str
    questions: list[tuple[str, str]]
    codes: list[ActivationCode]


def create_account(request, registration: Registration) -> Account:
    """Write the account with its links through the site, which indexes it."""
    site, hasher = request.site, request.hasher
    account = Account(
        secrets.token_hex(12), registration.kind, registration.login, registration.email
    )
    account.password_hash = hasher.hash(registration.password)
    account.questions.extend(
        SecurityQuestion(question, hasher.hash(normalise_answer(answer)))
        for question, answer in registration.questions
    )
    site.add_account(account)
    for code in registration.codes:
        site.link(account, code)
    return account


def match_codes(request, rows, kind: CodeKind) -> list[ActivationCode]:
    """Match every filled row, in order; rows left empty are skipped.

    Raises :class:`CodesRefused` for the first row that fails, whatever the
    reason, and checks no row after it: the throttles count as before.
    """
    site = request.site
    client_key = f"activation-ip:{request.client_addr}"
    matched: list[ActivationCode] = []
    for index, row in enumerate(rows):
        if not row["code"]:
            continue
        code = activation.normalise(row["code"])
        code_key = f"activation-code:{code}"
        allowed = throttle.allowed(
            site, client_key, limit=CLIENT_LIMIT, window=WINDOW
        ) and throttle.allowed(site, code_key, limit=CODE_LIMIT, window=WINDOW)
        found = allowed and activation.match(site, code, row["first_name"], row["birth_date"], kind)
        if not found:
            throttle.record(site, client_key, window=WINDOW)
            throttle.record(site, code_key, window=WINDOW)
            audit(request, "activation.failed")
            raise CodesRefused(index)
        if any(found.code == earlier.code for earlier in matched):
            raise CodesRefused(index)
        matched.append(found)
    return matched


class CreateAccountView(FormView):
    """The two creation forms share everything but the code kind."""

    kind: str
    code_kind: CodeKind
    initial_rows = INITIAL_CHILD_ROWS

    def appstruct(self):
        return {"children": [colander.null] * self.initial_rows}

    def __call__(self):
        if self.request.method == "POST" and "add_child" in self.request.POST:
            return self.add_row()
        return super().__call__()

    def add_row(self):
        """ "ajoutez un enfant": the same form, one more row, nothing validated.

        What was typed is read through a first form, and shown by a fresh one
        (a deserialised sequence field keeps its number of rows).
        """
        typed = self.make_form()
        try:
            pstruct = peppercorn.parse(list(self.request.POST.items()))
        except ValueError:  # markers out of place: nothing typed can be read back
            pstruct = {}
        typed.set_pstruct(pstruct)
        cstruct = dict(typed.cstruct)
        cstruct["children"] = [*cstruct.get("children", []), colander.null]
        self.form = self.make_form()
        self.form.cstruct = cstruct
        return self._render(self.form.serialize())

    def submit_success(self, appstruct):
        try:
            codes = match_codes(self.request, appstruct["children"], self.code_kind)
        except CodesRefused as refused:
            return refuse_row(self, appstruct, refused.row)
        credentials, questions = appstruct["credentials"], appstruct["questions"]
        if self.request.site.login_taken(credentials["login"]):
            return self.invalid(
                appstruct,
                _("Cet identifiant est déjà pris."),
                credentials={"login": _("Cet identifiant est déjà pris : choisissez-en un autre.")},
            )
        pupils = [self.request.site.pupils[code.pupil_id] for code in codes]
        refused = self.request.password_policy.problems(
            credentials["password"], [pupil.birth_date for pupil in pupils]
        )
        if refused:
            return self.invalid(appstruct, refused[0], credentials={"password": refused[0]})
        registration = Registration(
            kind=self.kind,
            login=credentials["login"],
            email=credentials["email"],
            password=credentials["password"],
            questions=[(questions[f"question{n}"], questions[f"answer{n}"]) for n in (1, 2, 3)],
            codes=codes,
        )
        account = create_account(self.request, registration)
        audit(
            self.request,
            "account.created",
            created=account.id,
            kind=self.kind,
            codes=len(codes),
        )
        send_mail(
            self.request,
            account.email,
            _("Votre compte scolarité services"),
            "ts_host:templates/mail/account_created.txt",
            {
                "account": account,
                "children": "\n".join(f"- {p.first_name} {p.last_name}" for p in pupils),
            },
        )
        return HTTPSeeOther(self.request.route_url("created"))


@view_defaults(renderer="ts_host:templates/accounts/create.pt")
@view_config(route_name="create_responsable")
class CreateResponsableView(CreateAccountView):
    schema = CreateResponsableSchema
    form_id = "creer-compte-responsable"
    kind = "responsable"
    code_kind = CodeKind.CAR

    def values(self):
        return {"title": _("Créez votre compte"), "pupil": False}


@view_defaults(renderer="ts_host:templates/accounts/create.pt")
@view_config(route_name="create_pupil")
class CreatePupilView(CreateAccountView):
    schema = CreatePupilSchema
    form_id = "creer-compte-eleve"
    kind = "eleve"
    code_kind = CodeKind.CAE
    initial_rows = 1

    def values(self):
        return {"title": _("Créez votre compte"), "pupil": True}


@view_config(route_name="created", renderer="ts_host:templates/accounts/created.pt")
def created_view(request):
    return {}
