"""Translations: French is the source language, English the second one."""

from pyramid.i18n import TranslationStringFactory

_ = TranslationStringFactory("ts_host")

LANGUAGES = ("fr", "en")


def includeme(config) -> None:
    settings = config.registry.settings
    # Pyramid reads the name without its "pyramid." prefix.
    settings.setdefault("default_locale_name", "fr")
    config.add_translation_dirs("ts_host:locale")
