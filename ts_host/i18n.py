"""Translations: French is the source language, English the second one.

Also the French elision of « de » before a first name (« d'Antoine »,
« de Hugo »), which every page naming a child needs.
"""

from __future__ import annotations

import functools
import unicodedata

from pyramid.events import BeforeRender
from pyramid.i18n import Localizer, TranslationString, TranslationStringFactory, make_localizer
from pyramid.interfaces import ILocalizer, ITranslationDirectories

_ = TranslationStringFactory("ts_host")

LANGUAGES = ("fr", "en")

#: Letters that are vowels once their accents are set aside; œ and æ do not
#: decompose in Unicode, so they are listed as themselves.
VOWELS = frozenset("aeiouœæ")


def _base_letter(char: str) -> str:
    """``char`` lower-cased and without its accents: É → e, Î → i, Œ → œ."""
    return unicodedata.normalize("NFD", char)[0].lower()


def elides(word: str) -> bool:
    """Whether « de » becomes « d' » before ``word`` (a first name).

    The rule, from the first letter (accents and case set aside):

    - a vowel (a, e, i, o, u, œ, æ, with any accent) elides: « d'Antoine »,
      « d'Élodie », « d'Œdipe »;
    - ``y`` elides when a consonant follows it, where it sounds as a vowel
      (« d'Yves », « d'Yvonne »), not before a vowel, where it is a
      consonant (« de Yann », « de Yasmine »);
    - ``h`` never elides: nothing in a first name tells a mute h (« d'Hélène »)
      from an aspirated one (« de Hugo »), and « de Hélène » reads as
      careful French where « d'Hugo » would be a mistake;
    - anything else (a consonant, a digit, a sign, an empty name) does not.
    """
    letters = word.strip()
    if not letters:
        return False
    first = _base_letter(letters[0])
    if first in VOWELS:
        return True
    if first == "y" and len(letters) > 1:
        following = _base_letter(letters[1])
        return following.isalpha() and following not in VOWELS and following != "y"
    return False


def of_name(request, first_name: str) -> str:
    """« de ‹first_name› » or « d'‹first_name› », translated for ``request``.

    Without a request (``None``: letters, command-line output), in French.

    Put it where a sentence says whose something is, with a placeholder that
    carries the preposition, so the translator of « La scolarité
    ${of_first_name} » sees it whole; the two fragments are messages of their
    own (« of ${first_name} » in English)::

        _("Consultez les absences ${of_first_name}",
          mapping={"of_first_name": of_name(request, pupil.first_name)})

    In templates, ``of_name`` is there already:
    ``<tal:n i18n:name="of_first_name">${of_name(request, pupil.first_name)}</tal:n>``.
    The rule is :func:`elides`'s; an empty name gives « de ».
    """
    name = first_name.strip()
    fragment = (
        _("d'${first_name}", mapping={"first_name": name})
        if elides(name)
        else _("de ${first_name}", mapping={"first_name": name})
    )
    text = request.localizer.translate(fragment) if request else fragment.interpolate()
    return text.strip()


def add_template_helpers(event) -> None:
    """Every template, the host's and the plugins', may call ``of_name``."""
    event.setdefault("of_name", of_name)


def negotiate_locale(request) -> str | None:
    """``_LOCALE_`` from the query string or a cookie, if the portal ships it.

    Pyramid keeps one translation object per locale name it is given, for
    good: its own negotiator would take any value, so every distinct
    ``_LOCALE_`` would grow the process.  Anything else gives the default.
    """
    name = request.GET.get("_LOCALE_") or request.cookies.get("_LOCALE_")
    return name if name in LANGUAGES else None


#: Messages without values remembered per language.  The catalogues hold
#: fewer; the bound is there because nothing stops a caller from translating
#: a string it did not write.
REMEMBERED_MESSAGES = 4096


class RememberingLocalizer(Localizer):
    """Pyramid's localizer, remembering what a message without values gives.

    A page translates forty to a hundred messages, almost all without a
    value (titles, labels, help), and Pyramid looks each one up in the
    catalogues anew on every request: a tenth of a dashboard's CPU.  Messages
    with values (``${of_first_name}``) are looked up each time, since their
    values are the request's.
    """

    def __init__(self, locale_name: str, translations) -> None:
        super().__init__(locale_name, translations)
        self._constant = functools.lru_cache(maxsize=REMEMBERED_MESSAGES)(self._translate_constant)

    def translate(self, tstring, domain=None, mapping=None):
        default = getattr(tstring, "default", None)
        # Chameleon tells an empty default apart from a translation by identity.
        if mapping or getattr(tstring, "mapping", None) or (default is not None and not default):
            return super().translate(tstring, domain=domain, mapping=mapping)
        return self._constant(
            str(tstring),
            domain or getattr(tstring, "domain", None),
            default,
            getattr(tstring, "context", None),
        )

    def _translate_constant(self, msgid, domain, default, context) -> str:
        tstring = TranslationString(msgid, domain=domain, default=default, context=context)
        return super().translate(tstring)


def register_localizers(registry) -> None:
    """Pyramid's localizer cache (one per language) filled with ours, once
    every package has added its translation folders."""
    folders = registry.queryUtility(ITranslationDirectories, default=[])
    for name in LANGUAGES:
        translations = make_localizer(name, folders).translations
        registry.registerUtility(RememberingLocalizer(name, translations), ILocalizer, name=name)


def includeme(config) -> None:
    config.add_translation_dirs("ts_host:locale")
    # After every add_translation_dirs (pyramid_chameleon's translator waits
    # for the same order).
    config.action(None, register_localizers, args=(config.registry,), order=1000)
    config.add_subscriber(add_template_helpers, BeforeRender)
    config.set_locale_negotiator(negotiate_locale)
