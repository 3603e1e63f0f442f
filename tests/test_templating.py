"""Templates compile one at a time, whatever the number of serving threads."""

import threading
import time

from chameleon.template import BaseTemplate

from ts_host import templating


def test_the_application_compiles_its_templates_one_at_a_time(ts_app, monkeypatch):
    inside = most = 0

    def compile_slowly(template, body, builtins):
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        time.sleep(0.01)
        inside -= 1
        return ""

    monkeypatch.setattr(templating, "_compile", compile_slowly)
    threads = [
        threading.Thread(target=BaseTemplate._compile, args=(None, "", ())) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 1
