"""A family's page kept until one of the records it read changes.

A page of a family is a function of the records it reads and of a few
values outside the database: the address, the language, the day, the
account and its session (the CSRF token in the header's logout form).
Given all of these, the same page comes out, so it is kept under a key made
of the outside values, beside the records it read and their serials, and
served again while every one of those records still has that serial in the
request's own view of the database (ZODB's MVCC: the same snapshot the page
would be rendered from).  A grade an import or the office adds changes a
record the page read, in whatever process it was written: the page is
rendered anew.

Which records a page read, including those a connection already held: a
connection's pickle cache keeps its objects on a ring, most recently used
last, and every attribute read of a persistent object (a BTree's buckets
too, from C) moves it to the end.  The site's ``read_marker``, read by
nothing else, is moved there first when the request opens the database
(``ts_host.root.get_site``); the objects after it once the page is rendered
are the ones it read.  Reading the ring costs some 250 µs at a process's
usual cache (bench/RESULTS.md), so a page is kept only when its key is
asked for a second time; checking a kept page's records costs 5 to 10 µs.

A view takes part with the ``page_cache=True`` view option (``add_view``,
``view_config``, ``add_pupil_page``): a GET page of a logged-in family,
rendered from the database and the values above alone.  Not kept: a page
with a message to show once (a flash), a page whose request wrote to the
database, an answer other than 200, one that sets a cookie, a page that
shows less than its records give (:func:`keep_nothing`: a tile that failed).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass

from pyramid.response import Response
from ZODB.POSException import POSKeyError

from .calendar import today

#: The view option that lets a view's pages be kept.
OPTION = "page_cache"
#: What a process keeps at most, unless ``ts.page_cache_mb`` says otherwise.
DEFAULT_MEGABYTES = 16
#: Pyramid's cookie sessions keep each flash queue under this prefix.
FLASH_PREFIX = "_f_"
#: What a kept page's record costs beside its body (its oid, its serial, a tuple).
RECORD_BYTES = 160
#: Keys asked for once, remembered to admit them the second time.
SEEN_KEYS = 8192


def start_reading(request, site) -> None:
    """Called as the request opens the database, before it reads anything else."""
    marker = getattr(site, "read_marker", None)
    if marker is None:  # a database ``ts-admin evolve`` has not brought up to date
        return
    marker.touch()
    request.ts_read_marker = marker


def keep_nothing(request) -> None:
    """This request's page is not to be kept: it shows less than its records
    give (a tile that failed is left out of the dashboard)."""
    request.ts_keep_nothing = True


@dataclass(frozen=True)
class KeptPage:
    status: str
    headerlist: tuple[tuple[str, str], ...]
    body: bytes
    #: (oid, serial) of every record the page read.
    reads: tuple[tuple[bytes, bytes], ...]

    @property
    def size(self) -> int:
        return len(self.body) + RECORD_BYTES * len(self.reads)

    def is_current(self, connection) -> bool:
        """Every record read still has its serial in ``connection``'s snapshot.

        A record the connection holds, not a ghost, is as of the snapshot
        (ZODB invalidates the others as the transaction begins); a ghost or
        a record the cache let go is loaded, as the page would load it.
        """
        held = connection._cache.get
        try:
            for oid, serial in self.reads:
                record = held(oid)
                if record is None:
                    record = connection.get(oid)
                if record._p_changed is None:
                    record._p_activate()
                if record._p_serial != serial:
                    return False
        except POSKeyError:  # packed away
            return False
        return True

    def response(self) -> Response:
        # The stored headers hold the body's Content-Length.
        return Response(status=self.status, headerlist=list(self.headerlist), app_iter=[self.body])


class PageCache:
    """The kept pages of a process, at most ``max_bytes`` of them, least
    recently served first out; shared by the threads."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._pages: OrderedDict[bytes, KeptPage] = OrderedDict()
        self._seen: OrderedDict[bytes, None] = OrderedDict()
        self._lock = threading.Lock()
        # Keys hold a session's CSRF token: kept as digests, salted per process.
        self._salt = secrets.token_bytes(16)

    def key(self, *parts: str) -> bytes:
        text = "\0".join(parts).encode("utf-8", "surrogateescape")
        return hashlib.blake2b(text, key=self._salt, digest_size=16).digest()

    def get(self, key: bytes) -> KeptPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def seen_before(self, key: bytes) -> bool:
        """Whether ``key`` was asked for already (and remember it was)."""
        with self._lock:
            if key in self._seen:
                return True
            self._seen[key] = None
            if len(self._seen) > SEEN_KEYS:
                self._seen.popitem(last=False)
            return False

    def put(self, key: bytes, page: KeptPage) -> None:
        if page.size > self.max_bytes:
            return
        with self._lock:
            self._drop(key)
            self._pages[key] = page
            self.size += page.size
            while self.size > self.max_bytes:
                self._drop(next(iter(self._pages)))

    def discard(self, key: bytes) -> None:
        with self._lock:
            self._drop(key)

    def _drop(self, key: bytes) -> None:
        page = self._pages.pop(key, None)
        if page is not None:
            self.size -= page.size

    def __len__(self) -> int:
        return len(self._pages)


def page_key(request) -> bytes | None:
    """The page's key: everything it depends on that is not a record."""
    account = request.account
    if account is None:
        return None
    session = request.session
    if any(name.startswith(FLASH_PREFIX) and session[name] for name in session):
        return None
    environ = request.environ
    return request.registry.ts_pages.key(
        request.host_url,
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        request.locale_name,
        account.id,
        session.get_csrf_token(),
        today(request).isoformat(),
    )


def records_read(request) -> tuple[tuple[bytes, bytes], ...] | None:
    """(oid, serial) of the records read since the marker; ``None`` when the
    request wrote one (not a page to keep) or the marker is off the ring."""
    marker = request.ts_read_marker
    ring = marker._p_jar._cache.lru_items()  # least recently used first
    for index in range(len(ring) - 1, -1, -1):
        if ring[index][1] is marker:
            break
    else:
        return None
    reads = []
    for oid, record in ring[index + 1 :]:
        if record._p_changed:
            return None
        reads.append((oid, record._p_serial))
    return tuple(reads)


def keepable(response) -> bool:
    return response.status_int == 200 and "Set-Cookie" not in response.headers


def page_cache_deriver(view, info):
    """Pyramid view deriver for the ``page_cache`` option (under the
    permission check, over the renderer: a page is served only to whom the
    view would be)."""
    if not info.options.get(OPTION):
        return view

    def kept_or_rendered(context, request):
        pages = request.registry.ts_pages
        if pages is None or request.method != "GET":
            return view(context, request)
        if getattr(request, "ts_read_marker", None) is None:
            return view(context, request)
        key = page_key(request)
        if key is None:
            return view(context, request)
        kept = pages.get(key)
        if kept is not None:
            if kept.is_current(request.ts_read_marker._p_jar):
                return kept.response()
            pages.discard(key)
        elif not pages.seen_before(key):
            return view(context, request)
        response = view(context, request)
        if keepable(response) and not getattr(request, "ts_keep_nothing", False):
            reads = records_read(request)
            if reads is not None:
                headers = tuple((n, v) for n, v in response.headerlist if n != "Set-Cookie")
                pages.put(key, KeptPage(response.status, headers, response.body, reads))
        return response

    return kept_or_rendered


page_cache_deriver.options = (OPTION,)


def includeme(config) -> None:
    """``ts.page_cache_mb`` (16 by default) a process at most; 0 keeps no page."""
    megabytes = float(config.registry.settings.get("ts.page_cache_mb", DEFAULT_MEGABYTES))
    config.registry.ts_pages = PageCache(int(megabytes * 2**20)) if megabytes > 0 else None
    config.add_view_deriver(page_cache_deriver)
