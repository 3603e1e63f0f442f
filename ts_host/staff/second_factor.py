"""The staff's second factor: TOTP (RFC 6238) codes and recovery codes.

pyotp computes the codes and segno draws the enrolment QR code as SVG, in
the page itself: the secret never leaves the server for a remote QR
service.  A code is accepted once (the account keeps the time step of the
last one used) and one step early or late, for a phone's clock drift.
Recovery codes are random, shown once, and kept as keyed digests; each
works once.
"""

from __future__ import annotations

import hmac
import secrets
import time

import pyotp
import segno

ISSUER = "scolarité services"
RECOVERY_CODES = 10
#: Steps either side of now that a code may come from (30 s each).
DRIFT = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, login: str, academy: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=login, issuer_name=f"{ISSUER} — {academy}")


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as an inline SVG element, dark on light, with a title."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, dark="#161616", light="#ffffff", title="QR code", omitsize=True
    )


def accepted_step(secret: str, code: str, last_step: int, now: float | None = None) -> int | None:
    """The time step ``code`` belongs to, if it is valid and newer than ``last_step``."""
    code = "".join(code.split())
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now if now is not None else time.time())
    for candidate in range(step - DRIFT, step + DRIFT + 1):
        if candidate > last_step and hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def new_recovery_codes() -> list[str]:
    """Ten codes of 10 characters in two groups (``k7qm2-x9p4w``), easy to copy out."""
    alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def recovery_digest(hasher, code: str) -> str:
    """The stored form of a recovery code: spacing, dashes and case ignored."""
    normalised = "".join(char for char in code.lower() if char.isalnum())
    return hasher.token_digest("recovery:" + normalised)
