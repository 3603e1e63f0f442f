"""The application under benchmark, with a bare view to compare its pages with.

Used by the benchmark's own ini file only (``use = call:bench.app:main``): the
product never serves the bare view.  The view is added to the portal's own
Pyramid application, so it goes through the same server, router and tweens
(transaction, retry, security headers) as every page, and does nothing else:
a page's throughput divided by the bare view's is the cost of the page's own
work, on whatever machine runs the benchmark.

The family floor is the other end: what any page of a logged-in family pays
before its own work (the auth ticket checked, the account loaded from the
database, the session opened for the CSRF token of the header's logout
form), with a body of a dashboard's size made once.  No family page can be
cheaper; a page's ratio to it is the share of its cost that is its own.

The pages are measured as on the last day of the school year (the
``ts.today`` setting, unless the ini file sets it): every grade of the year
is published then, so the notes page of the whole year is the whole year,
and the figures do not drift with the day the benchmark runs (on 5 December
the year's page showed some 110 of its pupil's 289 grades).
"""

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPForbidden
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED

import ts_host

BARE_PATH = "/__bench__/bare"
FLOOR_PATH = "/__bench__/famille"
#: A dashboard of eight tiles is 13 KB of HTML.
FLOOR_BODY = b"<!DOCTYPE html>\n" + b"<p>tableau de bord</p>\n" * 560


def bare_view(request) -> Response:
    return Response("bare", content_type="text/plain")


def family_floor_view(request) -> Response:
    if request.account is None:
        raise HTTPForbidden()
    request.session.get_csrf_token()
    return Response(FLOOR_BODY, content_type="text/html")


def last_school_day(academy) -> str:
    """The last day of the academy's school years, as ``ts.today`` holds it."""
    return max(e.year_end for e in academy.establishments.values()).isoformat()


def main(global_config, **settings):
    """``paste.app_factory``: the portal, plus the bare view at :data:`BARE_PATH`
    and the family floor at :data:`FLOOR_PATH`, on the last day of the school year."""
    app = ts_host.main(global_config, **settings)
    app.registry.settings.setdefault("ts.today", last_school_day(app.registry.ts_academy))
    config = Configurator(registry=app.registry)
    config.add_route("bench.bare", BARE_PATH)
    config.add_view(bare_view, route_name="bench.bare", permission=NO_PERMISSION_REQUIRED)
    config.add_route("bench.floor", FLOOR_PATH)
    config.add_view(family_floor_view, route_name="bench.floor", permission=NO_PERMISSION_REQUIRED)
    config.commit()
    return app
