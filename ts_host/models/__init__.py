"""The persistent model: the site root, establishments, pupils, responsables,
accounts, activation codes and the staff directory.

Everything that grows lives in a ``Container`` (an ``OOBTree`` with a
``Length`` counter), never in a list held by one record.
"""

from .accounts import Account, Link
from .codes import ActivationCode, CodeKind, CodeState
from .containers import Container
from .journal import Journal, JournalEntry
from .people import Pupil, Responsable, ResponsableLink
from .site import Establishment, Site
from .staff import Role, StaffAccount, StaffDirectory

__all__ = [
    "Account",
    "ActivationCode",
    "CodeKind",
    "CodeState",
    "Container",
    "Establishment",
    "Journal",
    "JournalEntry",
    "Link",
    "Pupil",
    "Responsable",
    "ResponsableLink",
    "Role",
    "Site",
    "StaffAccount",
    "StaffDirectory",
]
