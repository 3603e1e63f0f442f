"""The home page: the child selector and the tiles of the enabled services."""


def includeme(config) -> None:
    config.add_route("home", "/")
    config.scan(".")
