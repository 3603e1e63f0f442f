"""Pages compressed with gzip when the browser accepts it (``ts.compress_html``).

In production nginx compresses (etc/production/nginx-teleservices.conf,
docs/deployment.md, where BREACH is weighed): the application's two cores
are the scarcer ones, so the setting is off by default.  ``make run``
serves without nginx: etc/development.ini turns it on, so that what a
phone downloads there is what it downloads in production (a whole year of
grades: 40 KB of HTML, 6 KB over the wire).
"""

from pyramid.settings import asbool

#: Below this, gzip's header and the CPU cost more than they save (nginx's gzip_min_length).
MIN_LENGTH = 1024
COMPRESSED_TYPES = frozenset({"text/html", "application/json"})


def gzip_tween_factory(handler, registry):
    if not asbool(registry.settings.get("ts.compress_html", False)):
        return handler

    def tween(request):
        response = handler(request)
        if response.content_type in COMPRESSED_TYPES:
            # Caches must not give a compressed page to a browser that did not ask.
            response.vary = tuple(dict.fromkeys((*(response.vary or ()), "Accept-Encoding")))
            if (
                response.content_encoding is None
                # No header means « anything » to WebOb, and most likely a script.
                and "Accept-Encoding" in request.headers
                and request.accept_encoding.acceptable_offers(["gzip"])
                # (A renderer's page may come as an iterable without a length yet.)
                and len(response.body) >= MIN_LENGTH
            ):
                response.encode_content("gzip", lazy=False)
        return response

    return tween


def includeme(config) -> None:
    config.add_tween("ts_host.compression.gzip_tween_factory")
