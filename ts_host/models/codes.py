"""Activation codes: the letter's secret that lets a family create an account."""

import enum
from datetime import datetime

from persistent import Persistent


class CodeKind(enum.StrEnum):
    CAR = "CAR"  #: code activation responsable: one responsable, one pupil
    CAE = "CAE"  #: code activation élève: one pupil


class CodeState(enum.StrEnum):
    UNUSED = "unused"
    USED = "used"
    REVOKED = "revoked"  #: the responsable refused (coupon) or it was regenerated


class ActivationCode(Persistent):
    """A single-use code; once used it is the link of the account that used it.

    ``mailed_at`` and ``mailed_to`` record the last time the office e-mailed
    it, ``printed_at`` the last time its letter was printed (class defaults,
    so codes stored before these existed have them).  A regenerated code is
    a new code: its letter is not printed yet.
    """

    mailed_at: datetime | None = None
    mailed_to: str = ""
    printed_at: datetime | None = None

    def __init__(
        self,
        code: str,
        kind: CodeKind,
        pupil_id: str,
        responsable_id: str | None = None,
        issued_at: datetime | None = None,
    ) -> None:
        if kind is CodeKind.CAR and not responsable_id:
            raise ValueError("a CAR is issued for one responsable")
        self.code = code
        self.kind = kind
        self.pupil_id = pupil_id
        self.responsable_id = responsable_id
        self.issued_at = issued_at or datetime.now()
        self.state = CodeState.UNUSED
        self.account_id: str | None = None

    @property
    def usable(self) -> bool:
        return self.state is CodeState.UNUSED
