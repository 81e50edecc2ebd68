"""The SPARQL 1.1 Protocol endpoint at /sparql: queries, the service description, CORS.

The rules live in ``kosru_kg.protocol``; this module only moves them between HTTP and the backend.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from pyoxigraph import Variable

from .. import protocol, service_description
from . import state

blueprint = Blueprint("endpoint", __name__)

CORS_MAX_AGE = 24 * 60 * 60  # seconds a browser may cache a preflight answer
NAMED_GRAPHS = "SELECT DISTINCT ?graph WHERE { GRAPH ?graph {} } ORDER BY ?graph"


@blueprint.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    endpoint = request.base_url
    asked = protocol.read_request(request.method, request.query_string, request.content_type,
                                  request.get_data(cache=False), request.headers.get("Accept"), base_iri=endpoint)
    if asked is None:
        return _service_description(endpoint)
    result = state().backend.query(asked.query, default_graph=asked.default_graphs,
                                   named_graphs=asked.named_graphs, base_iri=endpoint)
    return Response(result.serialize(format=asked.result_format),
                    content_type=protocol.content_type(asked.media_type))


def _service_description(endpoint: str) -> Response:
    media_type = protocol.negotiate(request.headers.get("Accept"), service_description.MEDIA_TYPES,
                                    request.args.getlist("format"))
    graphs = [row[Variable("graph")] for row in state().backend.query(NAMED_GRAPHS)]
    triples = service_description.describe(endpoint, graphs)
    if media_type == "text/html":
        turtle = service_description.serialise(triples, "text/turtle").decode("utf-8")
        body = render_template("endpoint/description.html", endpoint=endpoint, graphs=graphs, description=turtle,
                               solution_formats=protocol.format_names(protocol.SOLUTION_FORMATS),
                               graph_formats=protocol.format_names(protocol.GRAPH_FORMATS))
    else:
        body = service_description.serialise(triples, media_type)
    return Response(body, content_type=protocol.content_type(media_type))


@blueprint.after_request
def _cors_and_vary(response: Response) -> Response:
    """Let browser tools on any origin query (answers never depend on Origin, so no Vary: Origin)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = response.headers.get("Allow", "")
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = str(CORS_MAX_AGE)
    response.vary.add("Accept")
    return response
