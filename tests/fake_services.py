"""Sources of throw-away plugins used to test the contract."""

GOOD = """
import colander
from pyramid.response import Response
from ts_host.api import ServiceDescription, Tile, hookimpl


@hookimpl
def ts_describe_service():
    schema = colander.MappingSchema()
    schema.add(colander.SchemaNode(colander.String(), name="colour", missing="bleu"))
    return ServiceDescription(id="fake", title="Le service factice",
                              description="Pour les tests.", version="2.0",
                              settings_schema=schema)


def page(context, request):
    return Response(f"page de {context.pupil.first_name} en {context.settings['colour']}")


@hookimpl
def ts_configure(config):
    config.add_pupil_route("fake", "")
    config.add_view(page, route_name="fake", permission="view")


@hookimpl
def ts_tile(request, pupil, settings):
    return Tile(title="Le service factice", text="Une tuile de test.",
                link_label=f"Consultez le service factice de {pupil.first_name}",
                url=request.route_url("fake", pupil=pupil.id))
"""

FAILING_TILE = """
from ts_host.api import ServiceDescription, hookimpl


@hookimpl
def ts_describe_service():
    return ServiceDescription(id="crashy", title="Le service qui plante",
                              description="Sa tuile lève une exception.", version="1.0")


@hookimpl
def ts_tile(request, pupil, settings):
    raise RuntimeError("boom")
"""

INCOMPATIBLE = """
from ts_host.api import ServiceDescription, hookimpl


@hookimpl
def ts_describe_service():
    return ServiceDescription(id="future", title="Le service du futur", description="",
                              version="9.0", requires_host=">=7.0")
"""

BROKEN_IMPORT = """
raise ImportError("dépendance manquante : libfoo")
"""

BAD_HOOK = """
from ts_host.api import hookimpl


@hookimpl
def ts_tile(request, pupil, settings, unknown_argument):
    return None
"""

SAME_ROUTE_NAME = """
from pyramid.response import Response
from ts_host.api import ServiceDescription, hookimpl


@hookimpl
def ts_describe_service():
    return ServiceDescription(id="twin", title="Le jumeau", description="", version="1.0")


@hookimpl
def ts_configure(config):
    config.add_pupil_route("fake", "/autre")
    config.add_view(lambda request: Response("jumeau"), route_name="fake", permission="view")
"""

SAME_PATH = """
from pyramid.response import Response
from ts_host.api import ServiceDescription, hookimpl


@hookimpl
def ts_describe_service():
    return ServiceDescription(id="alias", title="L'alias", description="", version="1.0",
                              url_segment="fake")


@hookimpl
def ts_configure(config):
    config.add_pupil_route("fake_alias.page", "")
    config.add_view(lambda request: Response("alias"), route_name="fake_alias.page",
                    permission="view")
"""
