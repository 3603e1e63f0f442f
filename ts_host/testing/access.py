"""The host's access promises, tested once for every service: :class:`ServiceAccessTests`.

Every page under ``/eleve/{pupil}/<service>`` is guarded by the host: a
disabled service, another family's pupil or an unknown pupil answer 404,
and an anonymous visitor is sent to the login page.  A plugin switches the
checks on for its own pages by subclassing the class in a test module.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from .data import ESTABLISHMENT_A, PASSWORD, make_account, pupils_of
from .web import login

#: A pupil id that no database holds.
UNKNOWN_PUPIL = "0000000000000000"


class ServiceAccessTests:
    """The access tests of the service under test, for each of its pupil pages.

    Subclass it in a test module, named ``Test…`` for pytest to collect it::

        class TestAccess(ServiceAccessTests):
            pupil_paths = ("", "/competence/1", "/livret.pdf")
            page_text = "Le livret de compétences"

    The service is the conftest's ``ts_service_under_test`` (enabled in A,
    not in B); ``pupil_paths`` are its pages relative to its address
    ``/eleve/{pupil}/<url segment>`` (``""``: that address itself), each of
    which answers 200 to the pupil's own family.  ``page_text``, if given,
    is a text of the first page that only its reader may see: the tests
    check that the family sees it and nobody else does.
    """

    pupil_paths: tuple[str, ...] = ("",)
    page_text: str | None = None

    @pytest.fixture
    def service_urls(self, ts_app, ts_service_under_test):
        """``service_urls(pupil_id)``: the service's pupil pages for that pupil."""
        if ts_service_under_test is None:
            pytest.fail("ServiceAccessTests : nommez le service dans ts_service_under_test")
        description = ts_app.registry.ts_plugins.services[ts_service_under_test]
        segment = description.url_segment or ts_service_under_test
        return lambda pupil_id: [f"/eleve/{pupil_id}/{segment}{p}" for p in self.pupil_paths]

    def assert_hidden(self, response) -> None:
        if self.page_text is not None:
            assert self.page_text not in response.text

    def test_the_familys_own_pupil_sees_each_page(self, family_app, pupil_enabled, service_urls):
        first, *others = service_urls(pupil_enabled)
        page = family_app.get(first, status=200)
        if self.page_text is not None:
            assert self.page_text in page.text
        for url in others:
            family_app.get(url, status=200)

    def test_a_disabled_service_has_no_tile_and_its_pages_answer_404(
        self, family_app, pupil_disabled, service_urls
    ):
        home = family_app.get("/", params={"eleve": pupil_disabled})
        for url in service_urls(pupil_disabled):
            assert url not in home.text
            self.assert_hidden(family_app.get(url, status=404))

    def test_another_familys_pupil_answers_404(
        self, testapp, ts_app, site, tm, pupil_enabled, service_urls
    ):
        with tm:
            other = next(p.id for p in pupils_of(site, ESTABLISHMENT_A) if p.id != pupil_enabled)
            make_account(site, ts_app.registry.ts_hasher, [other], "autre.famille")
        assert login(testapp, "autre.famille", PASSWORD).status_int == 303
        for url in service_urls(other):
            testapp.get(url, status=200)
        for url in service_urls(pupil_enabled):
            self.assert_hidden(testapp.get(url, status=404))

    def test_an_unknown_pupil_answers_404(self, family_app, service_urls):
        for url in service_urls(UNKNOWN_PUPIL):
            family_app.get(url, status=404)

    def test_an_anonymous_visitor_is_sent_to_the_login_page(
        self, testapp, pupil_enabled, service_urls
    ):
        for url in service_urls(pupil_enabled):
            response = testapp.get(url, status=(302, 303))
            assert urlsplit(response.location).path == "/connexion"
            self.assert_hidden(response)
