"""The randomized keypad on which passwords are typed.

The server deals a new order of the ten digits for each form it renders and
keeps it in the session; the page's buttons send positions, never digits,
and the server maps them back.  A dealt layout serves one submission only:
whatever happens to that POST, the next form gets a new order.
"""

from __future__ import annotations

import secrets

import colander
from deform.widget import Widget

SESSION_KEY = "ts.keypad"


def deal(request) -> list[str]:
    """The layout of the form being rendered: new once per request."""
    layout = request.environ.get(SESSION_KEY)
    if layout is None:
        digits = list("0123456789")
        secrets.SystemRandom().shuffle(digits)
        layout = request.environ[SESSION_KEY] = digits
        request.session[SESSION_KEY] = digits
    return layout


def decode(request, positions: str) -> str | None:
    """Map the submitted positions back to digits (``None`` when impossible)."""
    layout = request.session.get(SESSION_KEY)
    if not layout or not positions.isdigit() or not positions.isascii():
        return None
    return "".join(layout[int(position)] for position in positions)


def discard(request) -> None:
    """The layout has served: forget it so that it is never used again."""
    request.session.pop(SESSION_KEY, None)


class KeypadWidget(Widget):
    """A password typed on the keypad; the pstruct is a string of positions."""

    template = "keypad"
    readonly_template = "keypad"
    max_length = 10

    def serialize(self, field, cstruct, **kw):
        request = field.schema.bindings["request"]
        values = self.get_template_values(field, "", kw)
        values["layout"] = list(enumerate(deal(request)))
        values["max_length"] = self.max_length
        return field.renderer(self.template, **values)

    def deserialize(self, field, pstruct):
        if pstruct in (colander.null, ""):
            return colander.null
        if not isinstance(pstruct, str) or len(pstruct) > 2 * self.max_length:
            raise colander.Invalid(field.schema, "Saisie invalide")
        digits = decode(field.schema.bindings["request"], pstruct)
        if digits is None:
            raise colander.Invalid(
                field.schema,
                "Le clavier a changé : saisissez de nouveau votre mot de passe.",
            )
        return digits
