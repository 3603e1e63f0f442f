"""The persistent model: the site root, establishments and their structure,
pupils, responsables, accounts and activation codes.

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
    "Link",
    "LoginTaken",
    "Pupil",
    "Responsable",
    "ResponsableLink",
    "Site",
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
