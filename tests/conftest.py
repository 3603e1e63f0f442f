"""Host tests: the kit's fixtures come from ts_host.testing (a pytest plugin)."""

import sys
import textwrap
from pathlib import Path

import pytest

from ts_host.cli import main

from .admin_helpers import NEW_UAI, SAMPLES, write_ini


@pytest.fixture
def installed_distribution(tmp_path, monkeypatch):
    """Install a throw-away distribution on ``sys.path`` declaring plugins.

    ``installed_distribution("name", {"module": source}, {"service": "module"})``
    writes the modules and a ``.dist-info`` whose entry points declare them
    in ``ts_host.plugins``, as ``pip install`` would.
    """

    def install(name: str, modules: dict[str, str], entry_points: dict[str, str]) -> Path:
        root = tmp_path / f"site-{name}"
        root.mkdir()
        for module, source in modules.items():
            (root / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        info = root / f"{name}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
        lines = "\n".join(f"{key} = {value}" for key, value in entry_points.items())
        (info / "entry_points.txt").write_text(f"[ts_host.plugins]\n{lines}\n")
        monkeypatch.syspath_prepend(str(root))
        return root

    yield install
    for module in [m for m in sys.modules if m.startswith("fake_")]:
        del sys.modules[module]


@pytest.fixture(scope="session")
def ts_enabled_services():
    """The host's own tests run without any service: the host knows none."""
    from ts_host.testing import ESTABLISHMENT_A, ESTABLISHMENT_B

    return {ESTABLISHMENT_A: [], ESTABLISHMENT_B: []}


@pytest.fixture
def siecle_ini(tmp_path, capsys) -> str:
    """An ini file whose database holds the sample SIECLE exports of a new establishment."""
    path = str(write_ini(tmp_path))
    assert main(["import", "siecle", path, "--uai", NEW_UAI, "--quiet", *map(str, SAMPLES)]) == 0
    capsys.readouterr()
    return path
