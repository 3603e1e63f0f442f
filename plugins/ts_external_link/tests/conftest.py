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


@pytest.fixture(scope="session")
def ts_establishments_file(tmp_path_factory, ts_enabled_services):
    """The kit's file, plus A's links (a list of tables the kit's helper cannot write)."""
    path = tmp_path_factory.mktemp("etc") / "establishments.toml"
    tables = "".join(
        f"\n[[establishments.{ESTABLISHMENT_A}.settings.external_link.links]]\n"
        f'title = "{title}"\ndescription = "{description}"\nurl = "{url}"\n'
        for title, description, url in LINKS_A
    )
    path.write_text(establishments_toml(ts_enabled_services) + tables, encoding="utf-8")
    return path
