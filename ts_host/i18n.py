"""Translations: French is the source language, English the second one."""

from pyramid.i18n import TranslationStringFactory

_ = TranslationStringFactory("ts_host")

LANGUAGES = ("fr", "en")


def includeme(config) -> None:
    config.add_translation_dirs("ts_host:locale")
