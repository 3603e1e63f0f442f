"""A service module the kit's ``register_plugin`` registers for one test (not installed)."""

import colander
from persistent import Persistent
from pyramid.response import Response

from ts_host.api import ServiceDescription, Tile, hookimpl, service_data


class Visits(Persistent):
    """What the demo hook stores for each pupil."""

    def __init__(self) -> None:
        self.count = 0


@hookimpl
def ts_describe_service():
    schema = colander.MappingSchema()
    schema.add(colander.SchemaNode(colander.String(), name="colour", missing="bleu"))
    return ServiceDescription(
        id="exemple",
        title="Le service exemple",
        description="Enregistré pour un seul test.",
        version="1.0",
        settings_schema=schema,
    )


def page(context, request):
    visits = context.pupil.services.get("exemple")
    count = visits.count if visits is not None else "aucune"
    return Response(f"{context.pupil.first_name} en {context.settings['colour']} : {count}")


@hookimpl
def ts_configure(config):
    config.add_pupil_route("exemple", "")
    config.add_view(page, route_name="exemple", permission="view")


@hookimpl
def ts_tile(request, pupil, settings):
    return Tile(
        title="Le service exemple",
        text="Une tuile enregistrée pour un test.",
        link_label=f"Consultez l'exemple de {pupil.first_name}",
        url=request.route_url("exemple", pupil=pupil.id),
    )


@hookimpl
def ts_demo_data(pupils, rng):
    for pupil in pupils:
        service_data(pupil, "exemple", Visits).count = rng.randint(1, 9)
