"""Téléservices host: accounts, activation, the dashboard and the plugin contract.

Plugins import the public API from :mod:`ts_host.api`.
"""

from pyramid.config import Configurator

from .contract import hookimpl
from .guard import Guard


def main(global_config, **settings):
    """Build the WSGI application (``paste.app_factory``)."""
    # French is the source language; Pyramid fills in "en" when the
    # Configurator is created, so the default must be given before.
    settings.setdefault("pyramid.default_locale_name", "fr")
    with Configurator(settings=settings) as config:
        config.include(".settings")
        config.include(".guard")
        config.include(".storage")
        config.include(".postgresql_commits")
        config.include(".root")
        config.include("pyramid_tm")
        config.include("pyramid_retry")
        config.include("pyramid_zodbconn")
        config.include("pyramid_chameleon")
        config.include(".templating")
        config.include(".i18n")
        config.include(".mail")
        config.include(".passwords")
        config.include(".password_policy")
        config.include(".security")
        config.include(".layout")
        config.include(".page_cache")
        config.include(".widgets")
        config.include(".services")
        config.include(".headers")
        config.include(".compression")
        config.include(".accounts")
        config.include(".notifications")
        config.include(".dashboard")
        config.include(".staff")
        config.include(".pages")
        config.include(".errors")
        config.include(".storage_faults")
        config.include(".storage_deadline")
        config.include(".evolve")
        return Guard(config.make_wsgi_app(), config.registry)


__all__ = ["hookimpl", "main"]
