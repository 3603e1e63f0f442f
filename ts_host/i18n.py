"""Translations: French is the source language, English the second one."""

from pyramid.i18n import TranslationStringFactory

_ = TranslationStringFactory("ts_host")

LANGUAGES = ("fr", "en")


def includeme(config) -> None:
    settings = config.registry.settings
    settings.setdefault("pyramid.default_locale_name", "fr")
    config.add_translation_dirs("colander:locale", "deform:locale", "ts_host:locale")
