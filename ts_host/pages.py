"""Pages of information: help, legal notice, accessibility statement."""

from pyramid.view import view_config


@view_config(route_name="help", renderer="ts_host:templates/pages/help.pt")
@view_config(route_name="legal", renderer="ts_host:templates/pages/legal.pt")
@view_config(route_name="accessibility", renderer="ts_host:templates/pages/accessibility.pt")
def page_view(request):
    return {}


def includeme(config) -> None:
    config.add_route("help", "/aide")
    config.add_route("legal", "/mentions-legales")
    config.add_route("accessibility", "/accessibilite")
    config.scan(__name__)
