"""The activation code typed in four boxes, as printed on the letter."""

import colander
from deform.widget import Widget

from ..activation import GROUPS, display, normalise

PARTS = tuple(f"part{index}" for index in range(1, len(GROUPS) + 1))


class ActivationCodeWidget(Widget):
    """Four boxes of 4, 3, 3 and 3 characters.

    The boxes are joined and normalised on the server, so a whole code
    pasted into the first box works even without the script that moves the
    focus from box to box.
    """

    template = "activation_code"
    readonly_template = "activation_code"

    def serialize(self, field, cstruct, **kw):
        parts = display(normalise(cstruct)).split("-") if cstruct else [""] * len(GROUPS)
        parts += [""] * (len(GROUPS) - len(parts))
        values = self.get_template_values(field, cstruct, kw)
        values["boxes"] = [
            # The first box carries the field's id, so its <label for> points to it.
            {
                "name": name,
                "size": size,
                "value": value,
                "number": number,
                "id": field.oid if number == 1 else f"{field.oid}-{name}",
            }
            for number, (name, size, value) in enumerate(
                zip(PARTS, GROUPS, parts, strict=True), start=1
            )
        ]
        return field.renderer(self.template, **values)

    def deserialize(self, field, pstruct):
        if pstruct is colander.null:
            return colander.null
        if not isinstance(pstruct, dict):
            raise colander.Invalid(field.schema, "Saisie invalide")
        typed = "".join(str(pstruct.get(part, ""))[:20] for part in PARTS)
        return normalise(typed)[:40]
