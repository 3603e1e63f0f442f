"""The application under benchmark, with a bare view to compare its pages with.

Used by the benchmark's own ini file only (``use = call:bench.app:main``): the
product never serves the bare view.  The view is added to the portal's own
Pyramid application, so it goes through the same server, router and tweens
(transaction, retry, security headers) as every page, and does nothing else:
a page's throughput divided by the bare view's is the cost of the page's own
work, on whatever machine runs the benchmark.
"""

from pyramid.config import Configurator
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED

import ts_host

BARE_PATH = "/__bench__/bare"


def bare_view(request) -> Response:
    return Response("bare", content_type="text/plain")


def main(global_config, **settings):
    """``paste.app_factory``: the portal, plus the bare view at :data:`BARE_PATH`."""
    app = ts_host.main(global_config, **settings)
    config = Configurator(registry=app.registry)
    config.add_route("bench.bare", BARE_PATH)
    config.add_view(bare_view, route_name="bench.bare", permission=NO_PERMISSION_REQUIRED)
    config.commit()
    return app
