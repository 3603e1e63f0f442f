"""``ts-admin staff``: the first académie account, and staff accounts from the shell.

The académie creates the other accounts from the web; these commands give
the first one (and a way in when every académie account is lost).  The
same rules as the web: the directory's own methods, the activation link of
``signin.activation_link``.
"""

from __future__ import annotations

from ..audit import audit
from ..contract import CommandError
from ..models import Role
from ..models.staff import ROLE_LABELS
from .signin import activation_link


def add_staff(site, hasher, academy, login, name, email, role, uais) -> str:
    """Open an account; return its single-use activation link."""
    try:
        role = Role(role)
    except ValueError:
        choices = ", ".join(role.value for role in Role)
        raise CommandError(f"rôle inconnu : {role} (valeurs possibles : {choices})") from None
    unknown = sorted(set(uais) - set(academy.establishments))
    if unknown:
        raise CommandError(f"établissement inconnu : {', '.join(unknown)}")
    if role is not Role.ACADEMIE and not uais:
        raise CommandError("--uai est obligatoire pour ce rôle (un ou plusieurs établissements)")
    try:
        account = site.staff.add(login, name, email, role, () if role is Role.ACADEMIE else uais)
    except KeyError:
        raise CommandError(f"l'identifiant {login} est déjà pris") from None
    audit(None, "staff.created", target=account.id, role=str(account.role))
    return activation_link(site, hasher, account, academy.public_url)


def list_staff(site) -> list[str]:
    lines = []
    for account in sorted(site.staff, key=lambda account: account.login.lower()):
        state = "désactivé" if account.disabled else "actif" if account.enrolled else "à activer"
        where = ", ".join(account.uais) or "toute l'académie"
        lines.append(
            f"{account.login}\t{account.name}\t{ROLE_LABELS[account.role]}\t{where}\t{state}"
        )
    return lines


def disable_staff(site, login: str) -> None:
    account = site.staff.by_login(login)
    if account is None:
        raise CommandError(f"aucun compte du personnel : {login}")
    site.staff.disable(account)
    audit(None, "staff.disabled", target=account.id)
