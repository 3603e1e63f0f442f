"""Accounts: activation with CAR and CAE, login, recovery, "gérer son compte".

The paths are part of the product: letters and help texts cite them.
"""


def includeme(config) -> None:
    config.add_route("login", "/connexion")
    config.add_route("logout", "/deconnexion")
    config.add_route("create_responsable", "/creer-compte/responsable")
    config.add_route("create_pupil", "/creer-compte/eleve")
    config.add_route("created", "/creer-compte/confirmation")
    config.add_route("forgot_login", "/identifiant-oublie")
    config.add_route("forgot_password", "/mot-de-passe-oublie")
    config.add_route("reset_password", "/mot-de-passe-oublie/{token}")
    config.add_route("unlock", "/deverrouiller/{token}")
    config.add_route("account", "/compte")
    config.add_route("account_part", "/compte/{part}")
    config.scan(".")
