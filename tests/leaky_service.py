"""A service whose page the host does not guard (not installed): the kit's access
tests must fail on it.  Its route has no pupil factory and its view no permission."""

from pyramid.response import Response

from ts_host.api import ServiceDescription, Tile, hookimpl


@hookimpl
def ts_describe_service():
    return ServiceDescription(
        id="fuite",
        title="Le service qui fuit",
        description="Une page sans garde, enregistrée pour un seul test.",
        version="1.0",
    )


def page(request):
    return Response(f"La page de l'élève {request.matchdict['pupil']}")


@hookimpl
def ts_configure(config):
    config.add_route("fuite", "", inherit_slash=True)
    config.add_view(page, route_name="fuite")


@hookimpl
def ts_tile(request, pupil):
    return Tile(
        title="Le service qui fuit",
        text="Une tuile enregistrée pour un test.",
        link_label="Consultez la fuite",
        url=request.route_url("fuite", pupil=pupil.id),
    )
