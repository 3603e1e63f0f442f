"""The persistent model: the site root, establishments and their structure,
pupils, responsables, accounts, activation codes and the staff directory.

Everything that grows lives in a ``Container`` (an ``OOBTree`` with a
``Length`` counter), never in a list held by one record.
"""

from .accounts import Account, Link
from .codes import ActivationCode, CodeKind, CodeState
from .containers import Container
from .journal import Journal, JournalEntry
from .people import Pupil, Responsable, ResponsableLink
from .site import (
    Establishment,
    Forgotten,
    LoginTaken,
    Site,
    email_key,
    login_key,
)
from .staff import Role, StaffAccount, StaffDirectory
from .structure import (
    Division,
    Structure,
    SubjectTeam,
    Teacher,
    TeachingService,
    divisions,
    principals,
    teaching_team,
)

__all__ = [
    "Account",
    "ActivationCode",
    "CodeKind",
    "CodeState",
    "Container",
    "Division",
    "Establishment",
    "Forgotten",
    "Journal",
    "JournalEntry",
    "Link",
    "LoginTaken",
    "Pupil",
    "Responsable",
    "ResponsableLink",
    "Role",
    "Site",
    "StaffAccount",
    "StaffDirectory",
    "Structure",
    "SubjectTeam",
    "Teacher",
    "TeachingService",
    "divisions",
    "email_key",
    "login_key",
    "principals",
    "teaching_team",
]
