import pytest

from ts_host.testing import ESTABLISHMENT_A, establishments_toml

#: The links establishment A offers in these tests.
LINKS_A = [
    ("Espace Numérique de Travail", "L'ENT du collège.", "https://ent.example.fr/"),
    ("Cahier de textes", "", "http://cdt.example.fr/college-a?vue=eleve&x=1"),
]


@pytest.fixture(scope="session")
def ts_service_under_test():
    return "external_link"


@pytest.fixture
def ts_establishments_file(tmp_path_factory, ts_enabled_services):
    """The kit's file, with A's links."""
    path = tmp_path_factory.mktemp("etc") / "establishments.toml"
    links = [
        {"title": title, "description": description, "url": url}
        for title, description, url in LINKS_A
    ]
    settings = {ESTABLISHMENT_A: {"external_link": {"links": links}}}
    path.write_text(establishments_toml(ts_enabled_services, settings), encoding="utf-8")
    return path
