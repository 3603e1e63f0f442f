"""The benchmark's bare view lives in the benchmark's application, never in the product."""

import webtest

from bench.app import BARE_PATH
from bench.app import main as bench_main
from ts_host import main
from ts_host.storage import get_database


def test_the_bare_view_is_served_by_the_benchmark_application_only(ts_settings):
    for factory, status in ((bench_main, 200), (main, 404)):
        app = factory({}, **ts_settings)
        try:
            client = webtest.TestApp(app, extra_environ={"HTTP_HOST": "teleservices.test"})
            response = client.get(BARE_PATH, status=status)
        finally:
            get_database(app.registry).close()
        assert (response.text == "bare") is (status == 200)
