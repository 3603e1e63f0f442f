"""Translations: French is the source language, English the second one.

Also the French elision of « de » before a first name (« d'Antoine »,
« de Hugo »), which every page naming a child needs.
"""

from __future__ import annotations

import functools
import unicodedata

from pyramid.events import BeforeRender
from pyramid.i18n import (
    Localizer,
    TranslationString,
    TranslationStringFactory,
    make_localizer,
)
from pyramid.interfaces import ILocalizer, ITranslationDirectories
from pyramid.threadlocal import get_current_request
from pyramid_chameleon.interfaces import IChameleonTranslate

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


#: Translations remembered per language.  The catalogues hold fewer
#: messages; the bound is there because nothing stops a caller from
#: translating a string it did not write.
REMEMBERED_MESSAGES = 4096


class RememberingLocalizer(Localizer):
    """Pyramid's localizer, remembering each message's translation.

    A page translates forty to a hundred messages, and Pyramid looks each
    one up in the catalogues anew on every request.  A message's translation
    does not depend on its values: it is looked up once per language, and
    the values (``${of_first_name}``) are put in at each call, as Pyramid
    does.
    """

    def __init__(self, locale_name: str, translations) -> None:
        super().__init__(locale_name, translations)
        self._translation = functools.lru_cache(maxsize=REMEMBERED_MESSAGES)(self._look_up)

    def translate(self, tstring, domain=None, mapping=None):
        if not isinstance(tstring, TranslationString):
            return self.message(tstring, domain, None, None, mapping)
        values = tstring.mapping
        if mapping:
            values = {**values, **mapping} if values else mapping
        domain = domain or tstring.domain
        return self.message(str(tstring), domain, tstring.default, tstring.context, values)

    def message(self, msgid: str, domain, default, context, values) -> str:
        """What Pyramid's :meth:`translate` gives for a translation string of
        these parts, without building one first."""
        if default is None:
            default = msgid
        if not (isinstance(msgid, str) and default):
            # Chameleon tells an empty default apart from a translation by
            # identity: a remembered one would be another object.
            tstring = TranslationString(msgid, domain, default, values, context)
            return super().translate(tstring)
        translated = self._translation(msgid, domain, default, context)
        if values and "$" in translated:
            translated = TranslationString(msgid, mapping=values).interpolate(translated)
        return translated

    def _look_up(self, msgid, domain, default, context) -> str:
        tstring = TranslationString(msgid, domain=domain, default=default, context=context)
        return super().translate(tstring)


def template_translator(fallback):
    """Chameleon's ``translate``, straight to the request's remembering
    localizer; ``fallback`` (pyramid_chameleon's) when there is none.

    A page calls it forty to a hundred times.  The way through
    translationstring and pyramid_chameleon builds a translation string of
    every message only to read its parts back (some 5 % of a dashboard, in
    process).  Its rule is kept: a translation string's own parts win over
    Chameleon's.
    """

    def translate(
        msgid, domain=None, mapping=None, context=None, target_language=None, default=None
    ):
        localizer = getattr(get_current_request(), "localizer", None)
        if not (isinstance(localizer, RememberingLocalizer) and isinstance(msgid, str)):
            return fallback(msgid, domain, mapping, context, target_language, default)
        if isinstance(msgid, TranslationString):
            return localizer.translate(msgid)
        return localizer.message(msgid, domain, default, context, mapping)

    return translate


def register_localizers(registry) -> None:
    """Pyramid's localizer cache (one per language) filled with ours, once
    every package has added its translation folders, and the templates'
    translate function wrapped in ours."""
    folders = registry.queryUtility(ITranslationDirectories, default=[])
    for name in LANGUAGES:
        translations = make_localizer(name, folders).translations
        registry.registerUtility(RememberingLocalizer(name, translations), ILocalizer, name=name)
    fallback = registry.queryUtility(IChameleonTranslate)
    if fallback is not None:
        registry.registerUtility(template_translator(fallback), IChameleonTranslate)


def includeme(config) -> None:
    config.add_translation_dirs("ts_host:locale")
    # After every add_translation_dirs and pyramid_chameleon's translator
    # (order 1000).
    config.action(None, register_localizers, args=(config.registry,), order=1001)
    config.add_subscriber(add_template_helpers, BeforeRender)
    config.set_locale_negotiator(negotiate_locale)
