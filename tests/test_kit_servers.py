"""The kit's ini writer: the file ts-admin and pserve read, in every test that serves."""

import configparser

from ts_host.testing import app_settings
from ts_host.testing.servers import write_ini


def read(path):
    ini = configparser.ConfigParser(interpolation=None)
    ini.optionxform = str
    ini.read(path, encoding="utf-8")
    return ini


def test_an_admin_ini_holds_the_application_only(tmp_path):
    settings = app_settings(tmp_path, tmp_path / "establishments.toml", "file:///x/Data.fs")
    ini = read(write_ini(tmp_path / "admin.ini", settings))
    assert ini.sections() == ["app:main"]
    assert ini["app:main"]["use"] == "egg:teleservices"
    assert ini["app:main"]["ts.today"] == settings["ts.today"]


def test_a_served_ini_listens_on_port_0_and_logs_to_the_standard_error(tmp_path):
    path = write_ini(tmp_path / "a.ini", {"ts.x": "50%"}, server={"threads": 2, "ident": "x"})
    ini = read(path)
    assert dict(ini["server:main"]) == {
        "use": "egg:waitress#main",
        "listen": "127.0.0.1:0",
        "threads": "2",
        "ident": "x",
    }
    assert ini["handler_console"]["args"] == "(sys.stderr,)"
    # PasteDeploy interpolates the application's values: a % is written doubled.
    assert ini["app:main"]["ts.x"] == "50%%"
    interpolated = configparser.ConfigParser()
    interpolated.read(path, encoding="utf-8")
    assert interpolated["app:main"]["ts.x"] == "50%"


def test_an_ini_over_a_base_keeps_its_options_and_resolves_its_folder(tmp_path):
    base = tmp_path / "etc" / "base.ini"
    base.parent.mkdir()
    base.write_text(
        "[app:main]\nuse = egg:teleservices\nts.demo_codes = %(here)s/codes.csv\n"
        "zodbconn.uri = file://%(here)s/Data.fs\n\n"
        "[server:main]\nuse = egg:waitress#main\nlisten = 127.0.0.1:6543\n"
        "max_request_body_size = 1048576\n\n[loggers]\nkeys = root\n"
    )
    path = write_ini(
        tmp_path / "served.ini", {"zodbconn.uri": "file:///other/Data.fs"}, base=base, server={}
    )
    ini = read(path)
    assert ini["app:main"]["ts.demo_codes"] == f"{base.parent}/codes.csv"
    assert ini["app:main"]["zodbconn.uri"] == "file:///other/Data.fs"
    assert ini["server:main"]["listen"] == "127.0.0.1:0"
    assert ini["server:main"]["max_request_body_size"] == "1048576"
    assert ini["loggers"]["keys"] == "root"
