"""Translations: French is the source language, English the second one."""

from pyramid.i18n import TranslationStringFactory

_ = TranslationStringFactory("ts_host")

LANGUAGES = ("fr", "en")


def negotiate_locale(request) -> str | None:
    """``_LOCALE_`` from the query string or a cookie, if the portal ships it.

    Pyramid keeps one translation object per locale name it is given, for
    good: its own negotiator would take any value, so every distinct
    ``_LOCALE_`` would grow the process.  Anything else gives the default.
    """
    name = request.GET.get("_LOCALE_") or request.cookies.get("_LOCALE_")
    return name if name in LANGUAGES else None


def includeme(config) -> None:
    config.add_translation_dirs("ts_host:locale")
    config.set_locale_negotiator(negotiate_locale)
