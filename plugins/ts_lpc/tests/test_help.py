"""The service's section of the help page /aide."""

from ts_host.testing import help_section


def test_the_help_page_explains_how_to_read_the_booklet(family_app):
    text = help_section(family_app, "lpc")
    assert text.startswith("Le livret de compétences")
    assert "losange" in text
