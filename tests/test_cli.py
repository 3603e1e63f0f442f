"""ts-admin: clear messages and exit status, never a traceback."""

from ts_host.cli import main


def test_plugins_lists_each_service_with_its_status(tmp_path, capsys):
    from pathlib import Path

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
