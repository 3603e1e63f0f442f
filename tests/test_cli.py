"""ts-admin: clear messages and exit status, never a traceback."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ts_host.cli import main
from ts_host.cli.core import command_registry
from ts_host.cli.imports import SIECLE, import_formats
from ts_host.testing import ESTABLISHMENT_A, pupils_of


def test_plugins_lists_each_service_with_its_status(tmp_path, capsys):
    ini = Path(__file__).parent.parent / "etc" / "development.ini"
    # The database and its blobs in the test's folder, not beside the shipped one.
    text = ini.read_text().replace("%(here)s/../var/", f"{tmp_path}/")
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


# The host's commands through the host's own hooks ------------------------------------

HOST_COMMANDS = [
    "plugins",
    "demo",
    "evolve",
    "import",
    "codes",
    "letters",
    "stats",
    "gdpr",
    "new-plugin",
    "backup",
    "restore",
]

#: A service that declares an import format named like the host's.
SIECLE_IMPOSTOR = """
from ts_host.api import AdminCommand, ImportFormat, ServiceDescription, hookimpl


@hookimpl
def ts_describe_service():
    return ServiceDescription(id="impostor", title="Imposteur", description="Pour les tests.",
                              version="1.0")


@hookimpl
def ts_import_formats():
    return [ImportFormat(name="siecle", help="pas le vrai", run=lambda s, a, p: None)]


@hookimpl
def ts_admin_commands():
    return [AdminCommand(name="import", help="pas le vrai", configure=lambda p: None,
                         run=lambda s, a, args: 0)]
"""


def test_the_host_s_commands_and_formats_come_from_the_services_hooks_first(
    installed_distribution, capsys
):
    installed_distribution(
        "impostor-dist", {"fake_impostor": SIECLE_IMPOSTOR}, {"impostor": "fake_impostor"}
    )
    plugins = command_registry()
    assert plugins.statuses["impostor"].ok
    names = [c.name for found in plugins.pm.hook.ts_admin_commands() for c in found]
    assert names[: len(HOST_COMMANDS)] == HOST_COMMANDS
    assert "fiche" in names[len(HOST_COMMANDS) :]
    # The host's plugins are no services: ``ts-admin plugins`` does not list them.
    assert not any(name.startswith("ts_host") for name in plugins.statuses)
    # A service cannot take the SIECLE import, nor the import command, over.
    assert import_formats(plugins)["siecle"] is SIECLE
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    out, err = capsys.readouterr()
    assert "commande « import » déclarée deux fois" in err
    assert "ElevesSansAdresses" in out


def test_import_help_prints_every_format_s_help(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["import", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "usage : ts-admin import" in out
    for name, found in import_formats(command_registry()).items():
        assert f"\n{name}\n" in out
        for line in found.help.strip().splitlines():
            assert line.strip() in out
    assert "ElevesSansAdresses" in out and "--uai" in out


def test_an_unknown_format_is_refused_with_every_format_s_help(ts_admin, capsys):
    for argv in (
        ["import", str(ts_admin.ini), "nimporte", "f.csv"],
        ["import", "nimporte", str(ts_admin.ini), "f.csv"],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "format d'import inconnu « nimporte » (connus : " in err
        assert "siecle" in err and "ElevesSansAdresses" in err and "Traceback" not in err


def test_the_ini_file_may_come_before_or_after_a_command_s_action(ts_admin, tmp_path, capsys):
    """What the kit's ``ts_admin("gdpr", "export", ...)`` and a person typing both need."""
    with ts_admin.site() as site:
        pupil = pupils_of(site, ESTABLISHMENT_A)[0].id
    ini = str(ts_admin.ini)
    outputs = []
    for argv in (
        ["gdpr", "export", ini, "--uai", ESTABLISHMENT_A, "--pupil", pupil],
        ["gdpr", ini, "export", "--uai", ESTABLISHMENT_A, "--pupil", pupil],
        ["codes", "list", ini, "--uai", ESTABLISHMENT_A, "--class", "3A"],
        ["codes", ini, "list", "--uai", ESTABLISHMENT_A, "--class", "3A"],
        # A service's command takes the ini file before its action.
        ["fiche", ini, "export", str(tmp_path / "a.csv")],
        ["fiche", "export", ini, str(tmp_path / "a.csv")],
    ):
        assert main(argv) == 0, capsys.readouterr().err
        outputs.append(capsys.readouterr().out)
    exports = [json.loads(out) for out in outputs[:2]]
    for document in exports:
        del document["exporte_le"]
    assert exports[0]["eleve"]["identifiant"] == pupil and exports[0] == exports[1]
    assert outputs[2] == outputs[3] and outputs[2].endswith(" codes.\n")
    assert outputs[4] == outputs[5] == f"0 demandes transmises dans {tmp_path / 'a.csv'}.\n"
