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
    ``/eleve/{pupil}/<url segment>`` (``""``: that address itself, where its
    tile leads), each of which answers 200 to the pupil's own family;
    ``{responsable}`` in a path stands for the pupil's first responsable,
    whom the family's account speaks for.
    ``page_text``, if given, is a text of the first page that only its
    reader may see: the tests check that the family sees it and that no
    refusal shows it.  ``tile_text``, if given, is a text of the tile: shown
    on the dashboard of the child in A, absent from the child's in B.

    Three tests, each for every page: the family's own child in A and a
    disabled service in B (with an unknown pupil), another family, an
    anonymous visitor.
    """

    pupil_paths: tuple[str, ...] = ("",)
    page_text: str | None = None
    tile_text: str | None = None

    @pytest.fixture
    def service_urls(self, ts_app, ts_service_under_test, site, tm):
        """``service_urls(pupil_id)``: the service's pupil pages for that pupil."""
        if ts_service_under_test is None:
            pytest.fail("ServiceAccessTests : nommez le service dans ts_service_under_test")
        description = ts_app.registry.ts_plugins.services[ts_service_under_test]
        segment = description.url_segment or ts_service_under_test

        def urls(pupil_id: str) -> list[str]:
            with tm:
                pupil = site.pupils.get(pupil_id)
                links = pupil.responsables if pupil is not None else ()
                responsable = links[0].responsable_id if links else UNKNOWN_PUPIL
            return [
                f"/eleve/{pupil_id}/{segment}{path.format(responsable=responsable)}"
                for path in self.pupil_paths
            ]

        return urls

    def assert_hidden(self, response) -> None:
        if self.page_text is not None:
            assert self.page_text not in response.text

    def test_the_family_sees_its_child_in_a_and_gets_404_where_the_service_is_disabled(
        self, family_app, family, service_urls
    ):
        enabled, disabled = family.pupil_ids
        first, *others = service_urls(enabled)
        home = family_app.get("/", params={"eleve": enabled})
        assert first in home.text  # the tile leads to the service's address
        if self.tile_text is not None:
            assert self.tile_text in home.text
        page = family_app.get(first, status=200)
        if self.page_text is not None:
            assert self.page_text in page.text
        for url in others:
            family_app.get(url, status=200)

        home = family_app.get("/", params={"eleve": disabled})
        if self.tile_text is not None:
            assert self.tile_text not in home.text
        for url in service_urls(disabled):
            assert url not in home.text
            self.assert_hidden(family_app.get(url, status=404))
        for url in service_urls(UNKNOWN_PUPIL):
            family_app.get(url, status=404)

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

    def test_an_anonymous_visitor_is_sent_to_the_login_page(
        self, testapp, pupil_enabled, service_urls
    ):
        for url in service_urls(pupil_enabled):
            response = testapp.get(url, status=(302, 303))
            assert urlsplit(response.location).path == "/connexion"
            self.assert_hidden(response)
