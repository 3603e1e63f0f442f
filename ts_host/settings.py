"""Settings read at start-up; above all the secrets, from the ini file or the
environment, never from ZODB.

Each purpose has its own secret.  The application refuses to start when one
is missing or too short, naming it.
"""

import os

from pyramid.settings import asbool

#: setting name -> environment variable
SECRETS = {
    "ts.session_secret": "TS_SESSION_SECRET",
    "ts.auth_secret": "TS_AUTH_SECRET",
    "ts.password_pepper": "TS_PASSWORD_PEPPER",
}
MINIMUM_LENGTH = 32


class MissingSecret(RuntimeError):
    """A secret is absent or too weak; the message names it."""


def read_secrets(settings: dict) -> dict[str, str]:
    """Fill the secrets from the environment when the ini file has none."""
    found = {}
    for name, variable in SECRETS.items():
        value = settings.get(name) or os.environ.get(variable, "")
        if not value:
            raise MissingSecret(
                f"secret manquant : réglez « {name} » dans le fichier ini ou la variable "
                f"d'environnement {variable} (au moins {MINIMUM_LENGTH} caractères aléatoires, "
                f"par exemple : python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        if len(value) < MINIMUM_LENGTH:
            raise MissingSecret(
                f"secret trop court : « {name} » ({variable}) doit compter au "
                f"moins {MINIMUM_LENGTH} caractères"
            )
        found[name] = value
    if len(set(found.values())) != len(found):
        raise MissingSecret("chaque secret doit être différent des autres (un secret par usage)")
    return found


def includeme(config) -> None:
    settings = config.registry.settings
    settings.update(read_secrets(settings))
    settings["ts.development"] = asbool(settings.get("ts.development", False))
