"""The SPARQL 1.1 Protocol endpoint at /sparql: queries, the service description, CORS.

The rules live in ``kosru_kg.service.protocol``; this module only moves them between HTTP and the backend.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, render_template, request
from pyoxigraph import NamedNode, Variable

from kosru_kg import formats
from kosru_kg.formats import Kind
from kosru_kg.query import budget
from kosru_kg.query.backend import Answer
from kosru_kg.service import protocol, service_description
from kosru_kg.web import negotiation
from kosru_kg.web.middleware import access_log, whole_answers
from kosru_kg.web.state import state

blueprint = Blueprint("endpoint", __name__)

CORS_MAX_AGE = 24 * 60 * 60  # seconds a browser may cache a preflight answer
NAMED_GRAPHS = "SELECT DISTINCT ?graph WHERE { GRAPH ?graph {} } ORDER BY ?graph"
# The service description's formats: the RDF ones, Turtle the default, and a page.
DESCRIPTION_FORMATS = protocol.Offers((*formats.of_kind(Kind.GRAPH), *formats.of_kind(Kind.PAGE)))


@blueprint.route("/sparql", methods=["GET", "POST"])
@whole_answers.reads("query", "update", "default-graph-uri", "named-graph-uri", "timeout", *negotiation.PARAMETERS)
def sparql() -> Response:
    endpoint = _endpoint_iri()
    whole_answers.names_the_host(request.environ)  # the endpoint's IRI is the base of the query, and described
    settings = state().settings
    asked = protocol.read_request(request.method, request.query_string, request.content_type,
                                  request.get_data(cache=False), request.headers.get("Accept"),
                                  limits=protocol.Limits(settings.max_params, settings.max_query_bytes))
    if asked is None:
        return _service_description(endpoint)
    request.environ[access_log.QUERY] = asked.query
    limit = min(asked.timeout or settings.query_timeout, settings.query_timeout)
    with budget.scope(budget.Budget.starting_now(limit)):  # the client's share is kept by the backend's gate
        answer = state().backend.stream(asked.query, asked.written_as, default_graph=asked.default_graphs,
                                        named_graphs=asked.named_graphs, base_iri=endpoint)
    content_type = protocol.content_type(asked.media_type)
    if answer.rest is None:
        return Response(answer.head, content_type=content_type)
    # Too large to hold: sent as it comes, chunked; a failure now ends the response without
    # its last chunk, so the client sees an error instead of a complete-looking answer.
    return Response(_sent_whole(answer), content_type=content_type, direct_passthrough=True)


def _sent_whole(answer: Answer) -> Iterator[bytes]:
    yield answer.head
    yield from answer.rest


def _endpoint_iri() -> str:
    """This endpoint's own IRI (the base for relative IRIs), read straight from the WSGI environ.

    request.base_url would do, at a cost that shows on every query; a Host header that makes
    no IRI falls back to the server's own name.
    """
    environ = request.environ
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    iri = f"{environ['wsgi.url_scheme']}://{host}{request.script_root}{request.path}"
    try:
        NamedNode(iri)
    except ValueError:
        iri = f"{environ['wsgi.url_scheme']}://{environ['SERVER_NAME']}:{environ['SERVER_PORT']}{request.path}"
    return iri


def _service_description(endpoint: str) -> Response:
    fmt = negotiation.choose(DESCRIPTION_FORMATS)
    graphs = [row[Variable("graph")] for row in state().backend.query(NAMED_GRAPHS)]
    triples = service_description.describe_service(endpoint, graphs)
    if fmt.kind is Kind.PAGE:
        turtle = service_description.serialise(triples, "text/turtle").decode("utf-8")
        body = render_template("endpoint/description.html", endpoint=endpoint, graphs=graphs, description=turtle,
                               solution_formats=protocol.format_names(protocol.SOLUTION_FORMATS),
                               graph_formats=protocol.format_names(protocol.GRAPH_FORMATS))
    else:
        body = service_description.serialise(triples, formats.canonical(fmt).media_type)
    return Response(body, content_type=protocol.content_type(fmt.media_type))


@blueprint.after_request
def _cors_and_vary(response: Response) -> Response:
    """Let browser tools on any origin query (answers never depend on Origin, so no Vary: Origin)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = response.headers.get("Allow", "")
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = str(CORS_MAX_AGE)
    if "Vary" not in response.headers:  # setting it directly is cheaper than parsing response.vary
        response.headers["Vary"] = "Accept"
    elif "accept" not in response.headers["Vary"].lower():
        response.vary.add("Accept")
    return response
