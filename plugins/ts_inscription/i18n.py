"""The service's message factory: French msgids, catalogues under ``locale/``."""

from pyramid.i18n import TranslationStringFactory

_ = TranslationStringFactory("ts_inscription")
