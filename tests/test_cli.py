"""ts-admin: clear messages and exit status, never a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ts_host.cli import main
from ts_host.testing import ESTABLISHMENT_A


def test_plugins_lists_each_service_with_its_status(tmp_path, capsys):
    ini = Path(__file__).parent.parent / "etc" / "development.ini"
    text = ini.read_text().replace("%(here)s/../var/Data.fs", str(tmp_path / "Data.fs"))
    text = text.replace("%(here)s/establishments.toml", str(ini.parent / "establishments.toml"))
    local = tmp_path / "dev.ini"
    local.write_text(text)
    assert main(["plugins", str(local)]) == 0
    out = capsys.readouterr().out
    assert "service" in out and "état" in out
    for line in out.splitlines()[1:]:
        if line and not line.startswith(" "):
            assert any(status in line for status in ("ok", "incompatible", "broken"))


def test_a_missing_ini_file_is_a_clear_error(capsys):
    assert main(["plugins", "/nulle/part.ini"]) == 2
    assert "fichier de configuration introuvable" in capsys.readouterr().err


def test_a_reader_that_stops_early_gets_no_traceback(ts_admin):
    """``ts-admin codes list --csv | head -1``: the pipe closes, the command stops quietly.

    The pipe's reading end is closed before the command starts, so that its
    first write meets the closed pipe whatever the size of the output.
    """
    command = [
        str(Path(sys.executable).parent / "ts-admin"),
        *("codes", "list", str(ts_admin.ini), "--uai", ESTABLISHMENT_A, "--csv"),
    ]
    reading, writing = os.pipe()
    os.close(reading)
    try:
        done = subprocess.run(command, stdout=writing, stderr=subprocess.PIPE, timeout=60)
    finally:
        os.close(writing)
    assert done.returncode == 1
    assert b"Traceback" not in done.stderr and b"BrokenPipe" not in done.stderr


def test_argparse_s_own_refusals_are_in_french(capsys):
    for argv, message in [
        (["codes", "list"], "arguments obligatoires manquants : ini"),
        (["nimporte"], "choix inconnu : 'nimporte'"),
        (["demo", "x.ini", "--inconnue"], "arguments inconnus : --inconnue"),
    ]:
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 2
        err = capsys.readouterr().err
        assert message in err and "erreur" in err and "usage :" in err, err
