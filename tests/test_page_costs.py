"""Pages do no needless work: each one is paid for at the evening peak.

The benchmark (bench/) measures the pages; these hold the savings it led to.
"""

import pyramid_chameleon.localization
from pyramid.authentication import AuthTktCookieHelper
from pyramid.i18n import TranslationString, make_localizer
from pyramid.interfaces import ILocalizer, ITranslationDirectories
from pyramid.request import Request
from pyramid.threadlocal import RequestContext
from translationstring import ChameleonTranslate

from ts_host import i18n
from ts_host.i18n import LANGUAGES, RememberingLocalizer
from ts_host.layout import Layout
from ts_host.models import Role
from ts_host.testing import ESTABLISHMENT_A, TestApp, make_staff, staff_login

SENT_START = "Si ces informations correspondent à un compte"


def test_a_page_without_messages_does_not_send_the_session_again(family_app):
    family_app.get("/")
    again = family_app.get("/")
    assert not [c for c in again.headers.getall("Set-Cookie") if c.startswith("ts_session=")]


def test_a_message_is_still_shown_once(testapp, family):
    form = testapp.get("/mot-de-passe-oublie").forms["mot-de-passe-oublie"]
    form["login"] = family.login
    form["email"] = "famille.test@example.org"
    shown = form.submit("submit").follow()
    assert SENT_START in shown.text
    assert SENT_START not in testapp.get("/connexion").text


def test_the_identity_is_looked_up_once_a_request(family_app, monkeypatch):
    calls = []
    identify = AuthTktCookieHelper.identify

    def counting(self, request):
        calls.append(request)
        return identify(self, request)

    monkeypatch.setattr(AuthTktCookieHelper, "identify", counting)
    family_app.get("/")
    assert len(calls) == 1


def test_asset_urls_are_pyramids_whatever_the_host_and_prefix(ts_app):
    for base_url in ("http://teleservices.test", "https://ac-exemple.fr/portail"):
        request = Request.blank("/", base_url=base_url)
        request.registry = ts_app.registry
        for path in ("dsfr/icons.css", "ts/app.css", "dsfr/icons.css"):
            expected = request.static_path(f"ts_host:static/{path}")
            assert Layout(request).static_url(path) == expected


def test_the_cached_header_and_footer_change_no_page(testapp, family_app, site, tm, ts_app):
    """Anonymous, family (with its CSRF token), English and staff pages, each
    rendered anew and then from one cache shared by all of them."""
    with tm:
        hasher = ts_app.registry.ts_hasher
        member = make_staff(site, hasher, "chef", Role.ETABLISSEMENT, [ESTABLISHMENT_A])
    staff_app = TestApp(ts_app, extra_environ=testapp.extra_environ)
    staff_login(staff_app, member)
    pages = [
        (testapp, "/aide"),
        (testapp, "/aide?_LOCALE_=en"),
        (family_app, "/"),
        (family_app, "/?_LOCALE_=en"),
        (family_app, "/compte"),
        (staff_app, "/gestion/"),
    ]
    ts_app.registry.ts_chrome = None
    rendered = [app.get(path).body for app, path in pages]
    ts_app.registry.ts_chrome = {}
    for _round in range(2):
        assert [app.get(path).body for app, path in pages] == rendered
    token = family_app.get("/").html.find("input", attrs={"name": "csrf_token"})["value"]
    assert len(token) > 20 and token in family_app.get("/compte").text


def test_remembered_translations_change_no_page(testapp, family_app, ts_app):
    """French and English pages (the host's, the services' help and tiles),
    rendered with Pyramid's own localizers and then with the remembering ones."""
    registry = ts_app.registry
    pages = [
        (testapp, "/aide"),
        (testapp, "/aide?_LOCALE_=en"),
        (family_app, "/"),
        (family_app, "/?_LOCALE_=en"),
        (family_app, "/compte?_LOCALE_=en"),
    ]
    folders = registry.getUtility(ITranslationDirectories)
    remembering = {name: registry.getUtility(ILocalizer, name=name) for name in LANGUAGES}
    assert all(isinstance(loc, RememberingLocalizer) for loc in remembering.values())
    for name in LANGUAGES:
        registry.registerUtility(make_localizer(name, folders), ILocalizer, name=name)
    rendered = [app.get(path).body for app, path in pages]
    for name, localizer in remembering.items():
        registry.registerUtility(localizer, ILocalizer, name=name)
    for _round in range(2):
        assert [app.get(path).body for app, path in pages] == rendered
    assert b"<h1>Help</h1>" in rendered[1] and b'<html lang="en"' in rendered[1]
    assert b'<html lang="fr"' in rendered[0]


def test_a_remembering_localizer_translates_as_pyramids_does(ts_app):
    folders = ts_app.registry.getUtility(ITranslationDirectories)
    plain, remembering = make_localizer("en", folders), ts_app.registry.getUtility(ILocalizer, "en")
    messages = [
        TranslationString("Les notes", domain="ts_notes"),
        TranslationString("Les notes", domain="ts_host"),
        TranslationString("absent du catalogue", domain="ts_host", default="défaut"),
        TranslationString("de ${first_name}", domain="ts_host", mapping={"first_name": "Lou"}),
        "Aide",
    ]
    for message in messages:
        for _round in range(2):
            assert remembering.translate(message) == plain.translate(message)
    assert remembering.translate(messages[0]) == "Grades"
    assert remembering.translate("Aide", domain="ts_host") == "Help"
    for name in ("Zoé", "Lou"):
        values = {"first_name": name}
        assert remembering.translate("de ${first_name}", "ts_host", values) == (
            plain.translate("de ${first_name}", "ts_host", values)
        )


def test_remembered_translations_are_bounded(monkeypatch):
    monkeypatch.setattr(i18n, "REMEMBERED_MESSAGES", 8)
    localizer = RememberingLocalizer("en", None)
    for number in range(100):
        assert localizer.translate(f"message {number}") == f"message {number}"
    assert localizer._translation.cache_info().currsize == 8


class Marker(str):
    """What Chameleon gives as the default of a message it must tell apart
    from its translation: an empty string compared by identity."""


def test_templates_translate_as_pyramid_chameleon_does(ts_app):
    """Chameleon's calls, as its compiled templates make them, through ours
    and through pyramid_chameleon's with Pyramid's own localizer."""
    fallback = ChameleonTranslate(pyramid_chameleon.localization.translator)
    ours = i18n.template_translator(fallback)
    marker = Marker("")
    calls = [
        (("Aide",), {"domain": "ts_host", "default": "Aide"}),
        (("Les notes",), {"domain": "ts_notes"}),
        (("absent du catalogue",), {"domain": "ts_host", "default": "défaut"}),
        (("de ${first_name}",), {"domain": "ts_host", "mapping": {"first_name": "Zoé"}}),
        (("de ${first_name}",), {"domain": "ts_host", "mapping": {"first_name": "Lou"}}),
        ((TranslationString("Aide", domain="ts_host"),), {"domain": "ts_notes"}),
        ((TranslationString("de ${first_name}", "ts_host", mapping={"first_name": "Ali"}),), {}),
        ((TranslationString("${a} ${b}", mapping={"a": "1", "b": "2"}),), {"mapping": {"b": "3"}}),
        (("${x}",), {"domain": "ts_host", "default": marker, "mapping": {"x": "y"}}),
        ((None,), {}),
        ((3,), {}),
    ]
    folders = ts_app.registry.getUtility(ITranslationDirectories)

    def in_context(language, localizer=None):
        request = Request.blank(f"/?_LOCALE_={language}")
        request.registry = ts_app.registry
        if localizer is not None:
            request.localizer = localizer
        return RequestContext(request)

    for language in LANGUAGES:
        with in_context(language, make_localizer(language, folders)):
            expected = [fallback(*args, **kwargs) for args, kwargs in calls]
        with in_context(language):
            for _round in range(2):
                assert [ours(*args, **kwargs) for args, kwargs in calls] == expected
            assert ours("Aide", domain="ts_host") == {"fr": "Aide", "en": "Help"}[language]
            # Chameleon knows an untranslated message by its default's identity.
            assert ours("sans traduction", domain="ts_host", default=marker) is marker
