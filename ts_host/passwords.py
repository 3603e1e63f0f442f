"""Hashing of passwords, security answers and tokens.

A 6-digit password falls to any offline search once its argon2 hash is
known, so every secret is first passed through an HMAC keyed with the
pepper, which lives in configuration and never in the database: a stolen
``Data.fs`` alone is not enough.

argon2 runs on threads of its own, one per core the process may use, not
on the thread serving the request.  Each hash writes a 19 MiB block that
glibc's malloc takes from the calling thread's arena; once freed, the block
stays in that arena for the next hash (after the first block, glibc raises
its mmap and trim thresholds to the block's size).  Hashed on waitress's
four threads, a process kept four blocks, 76 MiB; on the two cores' threads
of the benchmark machine it keeps two (the production topology's process:
241 MB after its run, 203 MB now).  Giving the block back to the system
instead (a fixed ``MALLOC_MMAP_THRESHOLD_``) made each hash 60 % dearer in
CPU, its pages faulted in again every time.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import unicodedata
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: OWASP's minimum for argon2id (m=19 MiB, t=2, p=1); never accept less.
MINIMUM = {"memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}


class HashingThreads:
    """The threads every hash and verification of the process runs on.

    One per core: argon2 lets go of the GIL, and more threads than cores
    would only keep more blocks.  A process forked from this one (a server
    that loads the application before forking its workers) starts its own:
    threads do not survive a fork, and the copied pool would wait forever.
    """

    def __init__(self) -> None:
        self.start()
        os.register_at_fork(after_in_child=self.start)

    def start(self) -> None:
        self._pool = ThreadPoolExecutor(
            max_workers=len(os.sched_getaffinity(0)), thread_name_prefix="argon2"
        )

    def run(self, function, *args):
        """``function(*args)`` on a hashing thread; its result, or its exception."""
        return self._pool.submit(function, *args).result()


HASHING_THREADS = HashingThreads()


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
        return HASHING_THREADS.run(self._argon2.hash, self._peppered(secret))

    def verify(self, stored: str | None, secret: str) -> bool:
        """Check ``secret``; with ``stored=None`` spend the same time and fail."""
        try:
            verified = HASHING_THREADS.run(
                self._argon2.verify, stored or self._decoy, self._peppered(secret)
            )
            return verified and stored is not None
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
