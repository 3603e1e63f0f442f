"""The service's section of the help page /aide."""

from ts_host.testing import help_section


def test_the_help_page_explains_how_to_read_the_links(family_app):
    text = help_section(family_app, "external_link")
    assert text.startswith("Autres rubriques")
    assert "espace numérique de travail" in text
