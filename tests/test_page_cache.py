"""A family's page kept until one of the records it read changes (ts_host.page_cache)."""

import transaction
from persistent import Persistent
from ZODB import DB
from ZODB.MappingStorage import MappingStorage

from ts_host import evolve, main
from ts_host.dashboard import views as dashboard
from ts_host.models.site import ReadMarker
from ts_host.page_cache import KeptPage, PageCache, page_key, records_read
from ts_host.testing import PASSWORD, TestApp, login, make_account


def rendering_counter(monkeypatch) -> list:
    """The dashboard's renders, counted (its tiles are worked out once a render)."""
    renders = []
    tiles_for = dashboard.tiles_for

    def counted(request, pupil):
        renders.append(pupil.id)
        return tiles_for(request, pupil)

    monkeypatch.setattr(dashboard, "tiles_for", counted)
    return renders


def test_a_page_asked_for_again_is_kept_and_served_the_same(family_app, ts_app, monkeypatch):
    renders = rendering_counter(monkeypatch)
    bodies = [family_app.get("/").body for _ in range(4)]
    assert len(set(bodies)) == 1
    # The first view is not kept (most pages are seen once), the second is.
    assert len(renders) == 2 and len(ts_app.registry.ts_pages) == 1


def test_a_record_changed_elsewhere_renders_the_page_anew(
    family_app, family, site, tm, ts_app, monkeypatch
):
    """The pupil's name changed by another connection (an import, the office,
    another process): the kept dashboard is not served again."""
    renders = rendering_counter(monkeypatch)
    family_app.get("/")
    family_app.get("/")
    with tm:
        pupil = site.pupils[family.pupil_ids[0]]
        pupil.first_name = "Gwendoline"
    page = family_app.get("/")
    assert len(renders) == 3
    assert "Gwendoline" in page.text
    assert family_app.get("/").body == page.body and len(renders) == 3


def test_a_record_the_identity_read_first_is_among_the_page_s_reads(family_app, family, site, tm):
    """The account's links are read by the identity before the view runs,
    and were in the connection's cache before the request: a child unlinked
    leaves the kept dashboard."""
    second = family.pupil_ids[1]
    assert second in family_app.get("/").text
    family_app.get("/")
    with tm:
        links = site.accounts[family.account_id].links
        links[:] = [link for link in links if link.pupil_id != second]
    assert second not in family_app.get("/").text


def test_kept_pages_change_no_page(family_app, ts_app):
    """The family's pages, rendered anew and then kept and served."""
    paths = ["/", "/?_LOCALE_=en", "/compte"]
    pages, ts_app.registry.ts_pages = ts_app.registry.ts_pages, None
    rendered = [family_app.get(path).body for path in paths]
    ts_app.registry.ts_pages = pages
    for _round in range(3):
        assert [family_app.get(path).body for path in paths] == rendered


def test_each_session_has_its_own_pages(testapp, family, ts_app):
    """A page carries its session's CSRF token: another session of the same
    family gets its own."""
    other = TestApp(ts_app, extra_environ=testapp.extra_environ)
    tokens = []
    for app in (testapp, other):
        login(app, family.login, PASSWORD)
        pages = [app.get("/") for _ in range(3)]
        tokens.append({p.html.find("input", attrs={"name": "csrf_token"})["value"] for p in pages})
    assert all(len(t) == 1 for t in tokens) and tokens[0] != tokens[1]


def test_a_kept_page_is_served_to_no_one_else(testapp, family, site, tm, ts_app):
    """Another family asking for the same address gets its own page: the
    key holds the account, and the permission is checked before the cache."""
    mine, theirs = family.pupil_ids
    with tm:
        make_account(site, ts_app.registry.ts_hasher, [theirs], "autre.famille")
    login(testapp, family.login, PASSWORD)
    path = f"/?eleve={mine}"
    assert all(mine in testapp.get(path).text for _ in range(3))
    other = TestApp(ts_app, extra_environ=testapp.extra_environ)
    login(other, "autre.famille", PASSWORD)
    assert all(mine not in other.get(path).text for _ in range(3))


class FakeSession(dict):
    def get_csrf_token(self):
        return "jeton"


class FakeRequest:
    def __init__(self, registry, session):
        self.registry, self.session = registry, session
        self.account = type("Account", (), {"id": "compte"})()
        self.host_url, self.environ, self.locale_name = "http://t", {"PATH_INFO": "/"}, "fr"


def test_a_page_with_a_message_to_show_once_is_not_kept(ts_app):
    request = FakeRequest(ts_app.registry, FakeSession())
    assert page_key(request) is not None
    request.session["_f_success"] = ["Votre mot de passe est modifié."]
    assert page_key(request) is None
    request.session["_f_success"] = []
    assert page_key(request) is not None


class Record(Persistent):
    def __init__(self, value):
        self.value = value


def ring_world():
    """A database of a marker and three records, all in a connection's cache."""
    db = DB(MappingStorage())
    root = db.open().root()
    root["marker"] = ReadMarker()
    for name in "abc":
        root[name] = Record(name)
    transaction.commit()
    return db, root


class MarkedRequest:
    def __init__(self, marker):
        self.ts_read_marker = marker


def test_the_reads_are_the_records_read_after_the_marker_even_those_in_memory():
    db, root = ring_world()
    a, b, c = root["a"], root["b"], root["c"]
    assert (a.value, b.value, c.value) == ("a", "b", "c")  # all loaded, in memory
    marker = root["marker"]
    marker.touch()
    assert c.value == "c" and a.value == "a"
    reads = dict(records_read(MarkedRequest(marker)))
    assert set(reads) == {a._p_oid, c._p_oid}
    assert reads[a._p_oid] == a._p_serial
    transaction.abort()
    db.close()


def test_a_request_that_wrote_keeps_nothing():
    db, root = ring_world()
    marker = root["marker"]
    marker.touch()
    root["b"].value = "écrit"
    assert records_read(MarkedRequest(marker)) is None
    transaction.abort()
    db.close()


def test_a_kept_page_is_current_until_a_record_it_read_changes():
    db = DB(MappingStorage())
    reading, writing = transaction.TransactionManager(), transaction.TransactionManager()
    with writing:
        root = db.open(transaction_manager=writing).root()
        root["marker"], root["a"], root["b"] = ReadMarker(), Record("a"), Record("b")
    connection = db.open(transaction_manager=reading)
    reading.begin()
    marker, a = connection.root()["marker"], connection.root()["a"]
    marker.touch()
    assert a.value == "a"
    kept = KeptPage("200 OK", (), b"page", records_read(MarkedRequest(marker)))
    with writing:
        root["b"].value = "sans rapport"
    reading.begin()  # the request after: invalidations applied
    assert kept.is_current(connection)
    with writing:
        root["a"].value = "changé"
    reading.begin()
    assert not kept.is_current(connection)
    db.close()


def test_the_kept_pages_stay_within_their_bytes():
    cache = PageCache(max_bytes=10_000)
    page = KeptPage("200 OK", (), b"x" * 3000, ((b"o" * 8, b"s" * 8),))
    keys = [cache.key("page", str(n)) for n in range(5)]
    for key in keys:
        cache.put(key, page)
    assert cache.size <= 10_000 and len(cache) == 3
    assert cache.get(keys[0]) is None and cache.get(keys[4]) is page
    cache.put(cache.key("big"), KeptPage("200 OK", (), b"x" * 20_000, ()))
    assert cache.size <= 10_000


def test_keys_hold_no_token_in_clear():
    cache = PageCache(1000)
    key = cache.key("http://t", "/", "jeton-secret")
    assert b"jeton" not in key and len(key) == 16
    assert key != PageCache(1000).key("http://t", "/", "jeton-secret")


def test_no_cache_without_the_marker_of_an_evolved_database(family_app, site, tm, ts_app):
    """A database ``ts-admin evolve`` has not upgraded yet: pages are rendered."""
    with tm:
        del site.read_marker
    for _ in range(3):
        family_app.get("/")
    assert len(ts_app.registry.ts_pages) == 0


def test_a_size_of_0_keeps_no_page(ts_settings, testapp, family):
    settings = {**ts_settings, "ts.page_cache_mb": "0"}
    app = TestApp(main({}, **settings), extra_environ=testapp.extra_environ)
    login(app, family.login, PASSWORD)
    assert len({app.get("/").body for _ in range(3)}) == 1
    assert app.app.registry.ts_pages is None


def test_evolve_gives_an_older_database_its_marker(ts_app, family_app, site, tm):
    """Host step 6: a database from before the page cache keeps pages once upgraded."""
    with tm:
        del site.read_marker
        site.generations[evolve.HOST] = 5
    evolve.evolve(lambda: site, ts_app.registry.ts_plugins, tm)
    for _ in range(3):
        family_app.get("/")
    assert len(ts_app.registry.ts_pages) == 1
