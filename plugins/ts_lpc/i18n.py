"""The plugin's translation domain (French is the source language)."""

from pyramid.i18n import TranslationStringFactory

_ = TranslationStringFactory("ts_lpc")
