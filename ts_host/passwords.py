"""Hashing of passwords, security answers and tokens.

A 6-digit password falls to any offline search once its argon2 hash is
known, so every secret is first passed through an HMAC keyed with the
pepper, which lives in configuration and never in the database: a stolen
``Data.fs`` alone is not enough.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: OWASP's minimum for argon2id (m=19 MiB, t=2, p=1); never accept less.
MINIMUM = {"memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}


class Hasher:
    """argon2id over HMAC-SHA256(pepper, secret)."""

    def __init__(self, pepper: str, memory_cost: int, time_cost: int, parallelism: int) -> None:
        for name, value in {
            "memory_cost": memory_cost,
            "time_cost": time_cost,
            "parallelism": parallelism,
        }.items():
            if value < MINIMUM[name]:
                raise ValueError(f"argon2 {name}={value} is below OWASP's minimum {MINIMUM[name]}")
        self._pepper = pepper.encode()
        self._argon2 = PasswordHasher(
            memory_cost=memory_cost, time_cost=time_cost, parallelism=parallelism
        )
        # A hash of a random secret, verified on unknown identifiants so
        # that they cost the same time as known ones.
        self._decoy = self.hash(secrets.token_hex(8))

    def _peppered(self, secret: str) -> bytes:
        return hmac.new(self._pepper, secret.encode(), hashlib.sha256).hexdigest().encode()

    def hash(self, secret: str) -> str:
        return self._argon2.hash(self._peppered(secret))

    def verify(self, stored: str | None, secret: str) -> bool:
        """Check ``secret``; with ``stored=None`` spend the same time and fail."""
        try:
            return self._argon2.verify(stored or self._decoy, self._peppered(secret)) and (
                stored is not None
            )
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._argon2.check_needs_rehash(stored)

    def token_digest(self, token: str) -> str:
        """A fast keyed digest for high-entropy tokens (reset, unlock links)."""
        return hmac.new(self._pepper, b"token:" + token.encode(), hashlib.sha256).hexdigest()


def normalise_answer(answer: str) -> str:
    """Security answers match whatever the case, accents and spacing."""
    decomposed = unicodedata.normalize("NFKD", answer.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.split())


def hasher_from_settings(settings: dict) -> Hasher:
    return Hasher(
        settings["ts.password_pepper"],
        memory_cost=int(settings.get("ts.argon2.memory_cost", MINIMUM["memory_cost"])),
        time_cost=int(settings.get("ts.argon2.time_cost", MINIMUM["time_cost"])),
        parallelism=int(settings.get("ts.argon2.parallelism", MINIMUM["parallelism"])),
    )


def get_hasher(request) -> Hasher:
    return request.registry.ts_hasher


def includeme(config) -> None:
    config.registry.ts_hasher = hasher_from_settings(config.registry.settings)
    config.add_request_method(get_hasher, "hasher", reify=True)
