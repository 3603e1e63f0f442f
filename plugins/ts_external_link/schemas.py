"""The per-establishment settings: the links offered under « Autres rubriques »."""

from __future__ import annotations

from urllib.parse import urlsplit

import colander

SCHEMES = ("https", "http")


def web_address(node: colander.SchemaNode, value: str) -> None:
    """An absolute http(s) address: no ``javascript:``, ``data:`` or relative link."""
    parts = urlsplit(value)
    if (
        parts.scheme.lower() not in SCHEMES
        or not parts.netloc
        or any(c.isspace() or ord(c) < 32 for c in value)
    ):
        raise colander.Invalid(
            node, f"adresse web invalide « {value} » (https:// ou http:// attendu)"
        )


class Link(colander.MappingSchema):
    """One link: its title on the dashboard, a description, its address."""

    @staticmethod
    def schema_type():
        return colander.Mapping(unknown="raise")

    title = colander.SchemaNode(colander.String(), validator=colander.Length(1, 80))
    description = colander.SchemaNode(colander.String(), missing="")
    url = colander.SchemaNode(colander.String(), validator=web_address)


class Links(colander.SequenceSchema):
    link = Link()


class ExternalLinkSettings(colander.MappingSchema):
    """``[establishments.<UAI>.settings.external_link]``; an empty table is valid."""

    links = Links(missing=())


def settings_schema() -> ExternalLinkSettings:
    return ExternalLinkSettings()
