"""The test kit runs with the dossier enabled in establishment A only."""

from __future__ import annotations

import io
import zipfile

import pytest

from ts_dossier.demo import demo_bulletin
from ts_host.testing import ESTABLISHMENT_A, TestApp, make_staff, open_site, staff_login

HEAD = "Mme Claire DUVAL, principale"


@pytest.fixture(scope="session")
def ts_service_under_test():
    return "dossier"


@pytest.fixture(scope="session")
def ts_service_settings():
    return {ESTABLISHMENT_A: {"dossier": {"head_name": HEAD}}}


def make_zip(files: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def a_pdf(text: str = "T1") -> bytes:
    return demo_bulletin(text)


@pytest.fixture
def office(testapp):
    """A client signed in to the office of establishment A."""
    app = TestApp(testapp.app, extra_environ=testapp.extra_environ)
    with open_site(testapp.app) as site:
        member = make_staff(
            site, testapp.app.registry.ts_hasher, "secretariat", "etablissement", [ESTABLISHMENT_A]
        )
    staff_login(app, member)
    return app
