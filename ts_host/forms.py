"""A small base for form views, so each view states its schema and what
success does, not the validate-and-render dance (after Substance D)."""

from __future__ import annotations

import colander
import deform
import peppercorn
from pyramid.csrf import get_csrf_token
from pyramid.httpexceptions import HTTPBadRequest

from . import keypad
from .i18n import _


@colander.deferred
def deferred_csrf_token(node, kw):
    return get_csrf_token(kw["request"])


class CSRFSchema(colander.MappingSchema):
    """Every form schema derives from this: it carries the CSRF token, which
    Pyramid checks on every POST before the view runs."""

    csrf_token = colander.SchemaNode(
        colander.String(),
        widget=deform.widget.HiddenWidget(),
        default=deferred_csrf_token,
    )


def text_field(params, name: str, limit: int) -> str:
    """The text a hand-written form sent as ``name``, at most ``limit`` characters;
    empty when it is missing or is not text (a file sent in its place)."""
    value = params.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


#: How deform words a value of the wrong shape (a file or a list where text is
#: expected, markers out of place): plain English that no catalogue translates.
STRUCTURE_ERRORS = ("Pstruct is not", "Invalid pstruct", "Invalid peppercorn")


def translate_structure_errors(field: deform.Field) -> None:
    """Give deform's untranslatable shape errors a French message, in place."""
    error = field.error
    if error is not None and isinstance(error.msg, str) and error.msg.startswith(STRUCTURE_ERRORS):
        error.msg = _("Saisie invalide")
    for child in field.children:
        translate_structure_errors(child)


def well_formed(node: colander.SchemaNode, pstruct) -> bool:
    """Whether ``pstruct`` has the shape of ``node``: a dict for a mapping, a
    list for a sequence, all the way down, and no file but in a file field.

    A browser never sends anything else.  A forged body with deform's
    ``__start__``/``__end__`` markers out of place parses into another shape,
    which deform reports as field errors for the leaves but not for the
    sequences and mappings: there, after the failure, it hands colander a
    ``None`` to iterate over (a ``TypeError``).
    """
    if isinstance(node.typ, colander.Mapping):
        if not isinstance(pstruct, dict):
            return False
        present = [child for child in node.children if child.name in pstruct]
        return all(well_formed(child, pstruct[child.name]) for child in present)
    if isinstance(node.typ, colander.Sequence):
        if not isinstance(pstruct, list):
            return False
        return all(well_formed(node.children[0], item) for item in pstruct)
    # A leaf: text (or a list of texts, a multiple choice); a file only where
    # the schema takes one (deform's widgets fail on a file elsewhere).
    values = pstruct if isinstance(pstruct, list) else [pstruct]
    return isinstance(node.typ, deform.FileData) or not any(hasattr(v, "file") for v in values)


def check_structure(schema: colander.SchemaNode, controls: list) -> None:
    """Refuse with a 400 a submission whose markers build another shape than
    the schema's; markers that do not pair up are left to deform, which
    reports them as a field error."""
    try:
        pstruct = peppercorn.parse(controls)
    except ValueError:
        return
    if not well_formed(schema, pstruct):
        raise HTTPBadRequest()


class FormView:
    """Render a deform form on GET; on POST validate and call ``<button>_success``.

    Subclasses set ``schema`` (a ``CSRFSchema`` subclass), ``buttons`` and
    implement ``<name>_success(appstruct)`` for each button; a failed
    validation re-renders the form with what was typed (passwords excepted,
    the keypad widget never echoes them) and the errors tied to the fields.
    """

    schema: type[colander.Schema]
    buttons: tuple[deform.Button, ...] = (deform.Button("submit", _("Valider")),)
    form_id = "form"
    error_message = _("Le formulaire contient des erreurs : corrigez les champs signalés.")

    def __init__(self, context, request) -> None:
        self.context = context
        self.request = request

    def make_form(self) -> deform.Form:
        schema = self.schema().bind(request=self.request, context=self.context)
        self.prepare_schema(schema)
        # No autofocus: screen-reader users must meet the page's introduction first.
        return deform.Form(schema, buttons=self.buttons, formid=self.form_id, focus="off")

    def prepare_schema(self, schema) -> None:
        """Hook to adjust the bound schema (e.g. choices that depend on data)."""

    def appstruct(self) -> dict:
        """Initial values shown on GET."""
        return {}

    def values(self) -> dict:
        """Extra template values."""
        return {}

    def __call__(self):
        self.form = form = self.make_form()
        if self.request.method == "POST":
            for button in form.buttons:
                if button.name in self.request.POST:
                    return self._submit(button.name)
        return self._render(form.render(self.appstruct()))

    def _submit(self, button_name):
        controls = list(self.request.POST.items())
        check_structure(self.form.schema, controls)
        try:
            appstruct = self.form.validate(controls)
        except deform.ValidationFailure as failure:
            translate_structure_errors(failure.field)
            # Forget the used layout before the error page deals a new one.
            keypad.discard(self.request)
            return self._render(failure.render(), failed=True)
        keypad.discard(self.request)
        return getattr(self, f"{button_name}_success")(appstruct)

    def invalid(self, appstruct: dict, message: str, **field_errors) -> dict:
        """Re-render after a check made past validation (a code that does not
        match, an identifiant already taken), keeping what was typed.

        ``field_errors`` maps a field name to its message, a mapping's name
        to such a dict for its own fields, or a sequence's name to a dict of
        row index (from 0) to message.  The caller has written nothing.
        """
        translate = self.request.localizer.translate
        schema = self.form.schema
        error = colander.Invalid(schema, translate(message))
        for name, detail in field_errors.items():
            node = schema[name]
            if isinstance(detail, dict):
                inner = colander.Invalid(node)
                for child, child_message in detail.items():
                    if isinstance(child, int):  # a row of a sequence
                        row = colander.Invalid(node.children[0], translate(child_message))
                        inner.add(row, child)
                    else:
                        inner[child] = translate(child_message)
            else:
                inner = colander.Invalid(node, translate(detail))
            error.add(inner, schema.children.index(node))
        self.form.widget.handle_error(self.form, error)
        return self._render(self.form.render(appstruct), failed=True)

    def _render(self, rendered: str, failed: bool = False) -> dict:
        return {"form": rendered, "failed": failed, **self.values()}
