"""The service's section of the help page /aide."""

from ts_host.testing import help_section


def test_the_help_page_explains_how_to_read_the_fiche(family_app):
    text = help_section(family_app, "fiche")
    assert text.startswith("La fiche de renseignements")
    assert "Demander une modification" in text
