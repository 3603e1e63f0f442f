"""Nothing a user sends is unpickled: the session cookie is encrypted JSON.

The cookies below are forged with the application's own secrets, as an
attacker who stole them could: even then a pickle must not be loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time

import pytest
from pyramid_nacl_session import EncryptedSerializer
from webob.cookies import SignedSerializer

from ts_host.testing import TEST_SECRETS

SESSION_SECRET = TEST_SECRETS["ts.session_secret"]
#: How pyramid's SignedCookieSessionFactory signs the cookie.
SALT, HASHALG = "pyramid.session.", "sha512"


class Raw:
    """A serializer that hands the decrypted bytes over untouched."""

    def dumps(self, value: bytes) -> bytes:
        return value

    def loads(self, value: bytes) -> bytes:
        return value


def box(inner=None) -> EncryptedSerializer:
    key = hashlib.sha256(b"ts-session-box:" + SESSION_SECRET.encode()).digest()
    return EncryptedSerializer(key, serializer=inner or Raw())


def cookie(plaintext: bytes, encrypted: bool = True) -> str:
    serializer = box() if encrypted else Raw()
    return (
        SignedSerializer(SESSION_SECRET, SALT, HASHALG, serializer=serializer)
        .dumps(plaintext)
        .decode()
    )


def plaintext_of(value: str) -> bytes:
    return SignedSerializer(SESSION_SECRET, SALT, HASHALG, serializer=box()).loads(value.encode())


class Payload:
    """Unpickling this creates a folder: proof that a pickle was loaded."""

    def __init__(self, path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return (os.makedirs, (self.path,))


def test_the_session_cookie_is_encrypted_json(client, cast):
    app = client("owner")
    value = app.cookies["ts_session"]
    plaintext = plaintext_of(value)
    _accessed, _created, state = json.loads(plaintext)
    assert isinstance(state, dict) and "_csrft_" in state
    assert state["_csrft_"] not in value  # encrypted, not just signed
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads(plaintext)  # noqa: S301 - proving it is not a pickle


@pytest.mark.parametrize("encrypted", [True, False], ids=["chiffré", "signé seulement"])
def test_a_pickled_session_is_never_loaded_even_signed_with_the_secret(client, tmp_path, encrypted):
    proof = tmp_path / "unpickled"
    now = int(time.time())
    app = client()
    app.set_cookie("ts_session", cookie(pickle.dumps((now, now, {"x": Payload(proof)})), encrypted))
    page = app.get("/connexion")
    assert page.status_int == 200
    assert not proof.exists()
    fresh = [c for c in page.headers.getall("Set-Cookie") if c.startswith("ts_session=")]
    assert fresh, "the forged session should be replaced by a new one"
    json.loads(plaintext_of(fresh[0].split(";")[0].split("=", 1)[1]))


def test_a_tampered_session_cookie_starts_a_new_session(client):
    app = client()
    app.get("/connexion")
    value = app.cookies["ts_session"]
    app.set_cookie("ts_session", value[:-6] + ("A" * 6 if not value.endswith("A" * 6) else "B" * 6))
    page = app.get("/connexion")
    fresh = [c for c in page.headers.getall("Set-Cookie") if c.startswith("ts_session=")]
    assert fresh and fresh[0].split(";")[0].split("=", 1)[1] != value
