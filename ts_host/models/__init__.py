"""The persistent model: the site root, establishments, pupils, responsables,
accounts and activation codes.

Everything that grows lives in a ``Container`` (an ``OOBTree`` with a
``Length`` counter), never in a list held by one record.
"""

from .accounts import Account, Link
from .codes import ActivationCode, CodeKind, CodeState
from .containers import Container
from .people import Pupil, Responsable, ResponsableLink
from .site import (
    Establishment,
    Forgotten,
    LoginTaken,
    Site,
    email_key,
    login_key,
)

__all__ = [
    "Account",
    "ActivationCode",
    "CodeKind",
    "CodeState",
    "Container",
    "Establishment",
    "Forgotten",
    "Link",
    "LoginTaken",
    "Pupil",
    "Responsable",
    "ResponsableLink",
    "Site",
    "email_key",
    "login_key",
]
