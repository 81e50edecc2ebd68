"""Hypothesis strategies for SPARQL text: grammar-aware queries over the graph's own IRIs, and broken ones.

Queries are built from the SPARQL 1.1 grammar's parts (prologue, the four query forms, group
patterns with FILTER, BIND, OPTIONAL, UNION, MINUS, GRAPH, VALUES and subqueries, property paths,
expressions with function calls and aggregates, solution modifiers) over IRIs, literals and
graphs read from the served store, so that queries match data and are really evaluated.
Triple patterns in a group join on a variable already in scope: the graph is small, and a
join keeps even an ORDER BY over it quick, where an accidental cross product could not be.

Broken variants are valid queries with a span deleted, doubled or replaced by a stray token.
SPARQL Update operations and SERVICE calls must be refused however they are written.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st
from pyoxigraph import Store

from kosru_kg.vocab import PREFIXES

# Where SERVICE calls and LOADs point: loopback, on a port pyoxigraph refuses to contact, so a call
# that slipped past the guard fails (a 5xx the property catches) without leaving this machine.
NOWHERE = "http://127.0.0.1:1/sparql"
VARIABLES = ("?s", "?o", "?x", "?y", "$z", "?label")
OBJECT_VARIABLES = ("?o", "?label", "?x", "?s", "?y", "$z")  # another first choice than a subject's, so ?s p ?s is rare
FUNCTIONS_1 = ("STR", "LANG", "DATATYPE", "IRI", "URI", "BNODE", "ABS", "CEIL", "FLOOR", "ROUND", "STRLEN",
               "UCASE", "LCASE", "ENCODE_FOR_URI", "YEAR", "MONTH", "DAY", "HOURS", "MINUTES", "SECONDS",
               "TIMEZONE", "TZ", "MD5", "SHA1", "SHA256", "SHA384", "SHA512", "isIRI", "isURI", "isBLANK",
               "isLITERAL", "isNUMERIC", "BOUND", "xsd:integer", "xsd:decimal", "xsd:double", "xsd:float",
               "xsd:boolean", "xsd:string", "xsd:dateTime", "xsd:date", "<http://example.org/unknown-function>",
               "isTRIPLE", "SUBJECT", "PREDICATE", "OBJECT", "LANGDIR", "hasLANG", "hasLANGDIR")  # the last, RDF 1.2
FUNCTIONS_2 = ("LANGMATCHES", "CONTAINS", "STRSTARTS", "STRENDS", "STRBEFORE", "STRAFTER", "STRDT", "STRLANG",
               "sameTerm", "REGEX", "SUBSTR", "CONCAT", "COALESCE")
FUNCTIONS_3 = ("IF", "REPLACE", "SUBSTR", "REGEX", "CONCAT", "COALESCE", "STRLANGDIR", "TRIPLE")
FUNCTIONS_0 = ("NOW()", "RAND()", "UUID()", "STRUUID()", "BNODE()")
AGGREGATES = ("COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE")
OPERATORS = ("=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "&&", "||")
DATATYPES = ("xsd:integer", "xsd:decimal", "xsd:double", "xsd:boolean", "xsd:date", "xsd:dateTime",
             "xsd:gYear", "xsd:string", "rdf:langString", "<http://example.org/datatype>", "xsd:nonsense")
UPDATES = (
    "INSERT DATA {{ {t} }}", "DELETE DATA {{ {t} }}", "DELETE WHERE {{ {t} }}",
    "INSERT {{ {t} }} WHERE {{ {t} }}", "DELETE {{ {t} }} INSERT {{ {t} }} WHERE {{ {t} }}",
    "WITH <{g}> DELETE {{ {t} }} WHERE {{ {t} }}", "LOAD <" + NOWHERE + ">", "LOAD SILENT <" + NOWHERE + "> INTO GRAPH <{g}>",
    "CLEAR ALL", "CLEAR GRAPH <{g}>", "CLEAR DEFAULT", "CREATE GRAPH <{g}>", "DROP SILENT GRAPH <{g}>", "DROP ALL",
    "COPY DEFAULT TO <{g}>", "MOVE <{g}> TO DEFAULT", "ADD <{g}> TO <{g}>",
)
# Ways to write a SERVICE call; the guard must refuse every one.
SERVICES = (
    "SERVICE <{u}> {{ {t} }}", "SERVICE SILENT <{u}> {{ {t} }}", "service <{u}> {{ {t} }}", "SERVICE ?service {{ {t} }}",
    "SeRvIcE<{u}>{{ {t} }}", "SERVICESILENT <{u}> {{ {t} }}", "SERVICE nowhere: {{ {t} }}", "SERVICEnowhere: {{ {t} }}",
    "BIND(xsd:a\\# AS ?esc) SERVICE <{u}> {{ {t} }}", "# comment\nSERVICE <{u}> {{ {t} }}",
)
STRAY_TOKENS = ("{", "}", "(", ")", ".", ";", ",", '"', "'", '"""', "<", ">", "?", "$", "#", "\\", "\\u0000", "^^",
                "@", "|", "/", "*", "+", "!", "^", "a", "SELECT", "WHERE", "FILTER", "OPTIONAL", "UNION", "GRAPH",
                "LIMIT -1", "OFFSET 99999999999999999999", "VALUES", "BIND", "AS", "\x00", "\ufeff", "\ud7ff",
                "é", "\u2028", "\r", "\n", "\t", "SERVICE", "PREFIX", "BASE <x>", "<<", ">>", "_:b", "[]", "()")

# Queries nested n deep in each recursive construct of the grammar.
NESTINGS = {
    "brackets": lambda n: f"SELECT * WHERE {{ FILTER({'(' * n}true{')' * n}) }}",
    "groups": lambda n: f"SELECT * WHERE {'{ ' * n}?s ?p ?o{' }' * n} LIMIT 1",
    "optionals": lambda n: f"SELECT * WHERE {{ ?s ?p ?o {'OPTIONAL { ?s ?p ?o ' * n}{'}' * n} }} LIMIT 1",
    "negations": lambda n: f"ASK {{ FILTER({'!' * n}true) }}",
    "calls": lambda n: f"SELECT ({'STR(' * n}1{')' * n} AS ?x) WHERE {{}}",
    "paths": lambda n: f"ASK {{ ?s {'(' * n}<http://www.w3.org/2000/01/rdf-schema#label>{')' * n} ?o }}",
    "subqueries": lambda n: f"SELECT * WHERE {'{ SELECT * WHERE ' * n}{{ ?s ?p ?o }}{' LIMIT 1 }' * n}",
}


@dataclass(frozen=True)
class Vocabulary:
    """Terms of the served graph, for queries that match data."""

    resources: tuple[str, ...]
    predicates: tuple[str, ...]
    classes: tuple[str, ...]
    graphs: tuple[str, ...]
    literals: tuple[str, ...]  # as SPARQL text


def vocabulary(store: Store, sample: int = 300) -> Vocabulary:
    """The graph's terms, the most used first: Hypothesis tries the first of a list most, and shrinks towards it."""
    def values(query: str) -> tuple:
        return tuple(row[0] for row in store.query(query))

    def ranked(variable: str, pattern: str) -> tuple[str, ...]:
        return tuple(str(t) if variable == "?o" else t.value for t in values(
            # Ties broken by text: Oxigraph's ORDER BY over mixed literal types can abort (test_engine_faults.py).
            f"SELECT {variable} WHERE {{ {pattern} }} GROUP BY {variable} "
            f"ORDER BY DESC(COUNT(*)) STR({variable}) STR(DATATYPE({variable})) LANG({variable}) LIMIT {sample}"))

    return Vocabulary(
        resources=ranked("?s", "?s ?p ?o FILTER(isIRI(?s))"),
        predicates=ranked("?p", "?s ?p ?o"),
        classes=ranked("?c", "?s a ?c"),
        graphs=tuple(t.value for t in values("SELECT DISTINCT ?g WHERE { GRAPH ?g {} } ORDER BY ?g")),
        literals=ranked("?o", "?s ?p ?o FILTER(isLiteral(?o))"),
    )


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


class SparqlStrategies:
    """Strategies for query text over one vocabulary, each built once (building them is what costs)."""

    def __init__(self, vocab: Vocabulary, seeds: tuple[str, ...]):
        self.vocab = vocab
        self.seeds = seeds  # valid queries (the canned questions) to break
        self.prefixed = {iri: _prefixed(iri) for iri in (*vocab.predicates, *vocab.classes, *vocab.resources)}
        self.variable = st.sampled_from(VARIABLES)
        self.resource, self.predicate = self._iri(vocab.resources), self._iri(vocab.predicates)
        self.class_, self.graph = self._iri(vocab.classes), self._iri(vocab.graphs)
        self.literal = self._literal()
        # An RDF 1.2 triple term, which no RDF 1.1 format can carry.
        self.triple_term = st.tuples(self.resource, self.predicate, self.literal).map(lambda t: f"<<( {' '.join(t)} )>>")
        self.expression = st.recursive(
            st.one_of(self.variable, self.literal, self.resource, st.sampled_from(FUNCTIONS_0), self.triple_term),
            self._expression_node, max_leaves=6)
        self.aggregate = self._aggregate()
        self.path = self._path()
        self.values = self._values()
        self.prologue = self._prologue()
        self.modifiers = {grouped: self._modifiers(grouped) for grouped in (False, True)}
        self.subject = st.one_of(self.variable, self.resource)
        self.verbs = {True: mostly(self.predicate, st.one_of(self.path, self.variable)),
                      False: mostly(self.predicate, self.variable)}  # templates take no paths
        # Mostly variables, so that patterns match data; constants, so that some do not.
        self.object = mostly(st.sampled_from(OBJECT_VARIABLES),
                             st.one_of(self.resource, self.class_, self.literal, st.just("[]"), self.triple_term))

    # --- terms -----------------------------------------------------------------------------

    def _iri(self, pool: tuple[str, ...]) -> st.SearchStrategy[str]:
        """An IRI of ``pool``, written in full or prefixed; now and then a relative or odd one."""
        real = st.tuples(pick(pool), st.booleans()).map(
            lambda t: (t[1] and self.prefixed.get(t[0])) or f"<{t[0]}>")
        odd = st.sampled_from(["<>", "<relative>", "<#frag>", "<http://example.org/nothing>", "<urn:x:y>",
                               "<http://example.org/é>", "kosru:Nothing", "<" + NOWHERE + ">"])
        return mostly(real, odd)

    def _literal(self) -> st.SearchStrategy[str]:
        text = st.text(max_size=12).map(_quoted)
        return st.one_of(
            pick(self.vocab.literals),
            st.integers(min_value=-10**30, max_value=10**30).map(str),
            st.floats(allow_nan=False, allow_infinity=False).map(repr),
            st.sampled_from(["true", "false", "1e999", "-0.0", "0.", ".5", "1E-400", '"NaN"^^xsd:double', '"INF"^^xsd:double']),
            text,
            st.tuples(text, st.sampled_from(["en", "en", "ru", "sr-Latn", "x-bogus-tag", "en-", "ar--rtl", "en--ltr"]))
            .map(lambda t: f"{t[0]}@{t[1]}"),
            st.tuples(st.one_of(text, st.sampled_from(['"abc"', '"2008-02-30"', '"-0"', '"1e5"', '""'])),
                      st.sampled_from(DATATYPES)).map(lambda t: f"{t[0]}^^{t[1]}"),
        )

    # --- expressions ---------------------------------------------------------------------------

    def _expression_node(self, inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from(OPERATORS), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(st.sampled_from(("!", "-", "+")), inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(st.sampled_from(FUNCTIONS_1), inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(st.sampled_from(FUNCTIONS_2), inner, inner).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
            st.tuples(st.sampled_from(FUNCTIONS_3), inner, inner, inner).map(lambda t: f"{t[0]}({t[1]}, {t[2]}, {t[3]})"),
            st.tuples(inner, st.sampled_from(("IN", "NOT IN")), st.lists(inner, max_size=3))
            .map(lambda t: f"({t[0]} {t[1]} ({', '.join(t[2])}))"),
            st.tuples(st.sampled_from(("EXISTS", "NOT EXISTS")), self.predicate).map(lambda t: f"{t[0]} {{ ?s {t[1]} ?o }}"),
        )

    def _aggregate(self) -> st.SearchStrategy[str]:
        distinct = st.sampled_from(["", "DISTINCT "])
        return st.one_of(
            st.tuples(st.sampled_from(AGGREGATES), distinct, self.expression).map(lambda t: f"{t[0]}({t[1]}{t[2]})"),
            distinct.map(lambda d: f"COUNT({d}*)"),
            st.tuples(distinct, self.expression, st.text(max_size=4).map(_quoted))
            .map(lambda t: f"GROUP_CONCAT({t[0]}{t[1]}; SEPARATOR={t[2]})"),
        )

    # --- patterns ---------------------------------------------------------------------------

    def _path(self) -> st.SearchStrategy[str]:
        """A property path; * and + only repeat a single step, whose closure over this graph stays small."""
        step = st.one_of(self.predicate, st.just("a"))
        atom = st.one_of(
            step, step.map(lambda p: f"^{p}"),
            st.tuples(step, st.sampled_from(("*", "+", "?"))).map(lambda t: f"{t[0]}{t[1]}"),
            st.lists(st.one_of(step, step.map(lambda p: f"^{p}")), min_size=1, max_size=3).map(lambda s: f"!({'|'.join(s)})"),
        )
        return st.recursive(atom, lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(("/", "|")), inner).map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
            inner.map(lambda p: f"^({p})"), inner.map(lambda p: f"({p})?"),
        ), max_leaves=3)

    @st.composite
    def triples(draw, self, scope: tuple[str, ...], paths: bool = True) -> str:
        """One to three triple patterns, each joined to a variable already in scope."""
        patterns, bound = [], list(scope)
        for _ in range(draw(st.integers(1, 3))):
            subject = draw(st.sampled_from(bound) if bound else self.subject)
            obj = draw(self.object)
            if draw(st.booleans()):
                subject, obj = obj, subject  # the join variable as object, as often as subject
            patterns.append(f"{subject} {draw(self.verbs[paths])} {obj}")
            bound.extend(term for term in (subject, obj) if term[:1] in "?$")
        separator = draw(st.sampled_from([" . ", " .\n"]))
        return separator.join(patterns) + draw(st.sampled_from(["", " ."]))

    @st.composite
    def group(draw, self, scope: tuple[str, ...] = (), depth: int = 2) -> str:
        """A group graph pattern: triples, then filters, optional parts, unions and the like."""
        body = draw(self.triples(scope))
        inner_scope = scope or tuple(v for v in VARIABLES if v in body)
        elements = ["filter", "bind", "values", "graph"] + (["optional", "union", "minus", "subquery"] if depth else [])
        for _ in range(draw(st.integers(0, 3))):
            element = draw(st.sampled_from(elements))
            if element == "filter":
                body += f" FILTER({draw(self.expression)})"
            elif element == "bind":
                body += f" BIND({draw(self.expression)} AS ?bound{draw(st.integers(0, 2))})"
            elif element == "values":
                body += f" {draw(self.values)}"
            elif element == "graph":
                name = draw(st.one_of(st.just("?g"), self.graph))
                body += f" GRAPH {name} {{ {draw(self.triples(inner_scope))} }}"
            elif element == "optional":
                body += f" OPTIONAL {draw(self.group(inner_scope, depth - 1))}"
            elif element == "union":
                body += f" {draw(self.group(inner_scope, depth - 1))} UNION {draw(self.group(inner_scope, depth - 1))}"
            elif element == "minus":
                body += f" MINUS {draw(self.group(inner_scope, depth - 1))}"
            else:
                body += f" {{ SELECT * WHERE {{ {draw(self.select(depth - 1))} }} LIMIT 10 }}"  # a bounded subquery
        return f"{{ {body} }}"

    def _values(self) -> st.SearchStrategy[str]:
        cell = st.one_of(self.literal, self.resource, st.just("UNDEF"))
        one = st.tuples(self.variable, st.lists(cell, max_size=4)).map(
            lambda t: f"VALUES {t[0]} {{ {' '.join(t[1])} }}")
        many = st.lists(self.variable, min_size=0, max_size=3, unique=True).flatmap(lambda names: st.tuples(
            st.just(names), st.lists(st.lists(cell, min_size=len(names), max_size=len(names)), max_size=3))).map(
            lambda t: f"VALUES ({' '.join(t[0])}) {{ {' '.join('(' + ' '.join(row) + ')' for row in t[1])} }}")
        return st.one_of(one, many)

    # --- queries ----------------------------------------------------------------------------

    def _prologue(self) -> st.SearchStrategy[str]:
        """Mostly every prefix the generated names use, so that most queries parse; now and then odd declarations."""
        every = "\n".join(f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in PREFIXES.items())
        declaration = st.one_of(
            st.sampled_from(sorted(PREFIXES.items())).map(lambda item: f"PREFIX {item[0]}: <{item[1]}>"),
            st.just(f"PREFIX nowhere: <{NOWHERE}>"),
            st.sampled_from(["BASE <http://example.org/base/>", "BASE <relative/>", "PREFIX : <#>", "PREFIX bad: <x y>"]),
        )
        extra = mostly(st.just([]), st.lists(declaration, min_size=1, max_size=3))
        return st.tuples(st.sampled_from([every] * 7 + [""]), extra).map(lambda t: "\n".join([t[0], *t[1]]))

    def _modifiers(self, grouped: bool) -> st.SearchStrategy[str]:
        """HAVING, ORDER BY, LIMIT and OFFSET; a grouped query has HAVING and orders by an aggregate."""
        having = self.aggregate.map(lambda a: f"HAVING({a} > 1)") if grouped else self.expression.map(lambda e: f"HAVING({e})")
        key = self.aggregate if grouped else st.one_of(self.variable, self.expression)
        order = st.lists(st.tuples(st.sampled_from(["", "ASC", "DESC"]), key).map(lambda t: f"{t[0]}({t[1]})"),
                         min_size=1, max_size=2).map(lambda keys: "ORDER BY " + " ".join(keys))
        limit = st.sampled_from(["LIMIT 10", "LIMIT 1", "LIMIT 100", "OFFSET 5 LIMIT 10", "LIMIT 0", "LIMIT 10 OFFSET 3000"])
        return st.tuples(st.just("") | having, st.just("") | order, limit | st.just("")).map(lambda parts: _join(*parts))

    @st.composite
    def select(draw, self, depth: int = 2) -> str:
        distinct = draw(st.sampled_from(["", "", "DISTINCT ", "REDUCED "]))
        where = draw(self.group((), depth))
        if draw(st.booleans()):  # grouped: project the grouping variables and aggregates
            keys = draw(st.lists(self.variable, max_size=2, unique=True))
            aggregates = draw(st.lists(self.aggregate, min_size=0 if keys else 1, max_size=2))
            projection = " ".join([*keys, *(f"({a} AS ?agg{i})" for i, a in enumerate(aggregates))])
            group_by = f"GROUP BY {' '.join(keys)}" if keys else ""
            return _join(f"SELECT {distinct}{projection} WHERE", where, group_by, draw(self.modifiers[True]))
        projection = draw(st.one_of(st.just("*"), st.lists(st.one_of(
            self.variable, self.expression.map(lambda e: f"({e} AS ?e")), min_size=1, max_size=3, unique=True).map(
            lambda items: " ".join(f"{item}{i})" if item.startswith("(") else item for i, item in enumerate(items)))))
        return _join(f"SELECT {distinct}{projection} WHERE", where, draw(self.modifiers[False]))

    @st.composite
    def query(draw, self) -> str:
        """A whole query: prologue, one of the four forms, and now and then trailing VALUES."""
        form = draw(st.sampled_from(["select", "select", "ask", "construct", "construct-where", "describe", "computed"]))
        if form == "select":
            body = draw(self.select())
        elif form == "computed":
            body = draw(st.sampled_from(draw(self.computed())))
        elif form == "ask":
            body = f"ASK {draw(self.group())}"
        elif form == "construct":
            template = draw(self.triples((), paths=False))
            body = _join(f"CONSTRUCT {{ {template} }} WHERE", draw(self.group()), draw(self.modifiers[False]))
        elif form == "construct-where":
            body = _join(f"CONSTRUCT WHERE {{ {draw(self.triples((), paths=False))} }}", draw(st.sampled_from(["LIMIT 20", ""])))
        else:
            described = draw(st.lists(st.one_of(self.resource, self.variable), min_size=1, max_size=2))
            where = f"WHERE {draw(self.group())}" if draw(st.booleans()) else ""
            body = _join("DESCRIBE", *described, where, draw(st.sampled_from(["", "LIMIT 5"])))
        dataset = draw(st.lists(st.tuples(st.sampled_from(["FROM", "FROM NAMED"]), self.graph).map(" ".join), max_size=2))
        if dataset and " WHERE" in body:
            head, _, rest = body.partition(" WHERE")
            body = f"{head} {' '.join(dataset)} WHERE{rest}"
        trailing = draw(mostly(st.just(""), self.values))
        return _join(draw(self.prologue), body, trailing)

    def computed(self) -> st.SearchStrategy[tuple[str, str]]:
        """A SELECT and a CONSTRUCT of the same computed terms (triple terms, directional strings, odd numbers...).

        Each has one solution whatever the data, so every term that computes reaches the serialiser.
        """
        def queries(terms: list[str]) -> tuple[str, str]:
            binds = " ".join(f"BIND({term} AS ?v{i})" for i, term in enumerate(terms))
            template = " ".join(f"<urn:s> <urn:p{i}> ?v{i} ." for i in range(len(terms)))
            prologue = "\n".join(f"PREFIX {prefix}: <{namespace}>" for prefix, namespace in PREFIXES.items())
            return f"{prologue}\nSELECT * WHERE {{ {binds} }}", f"{prologue}\nCONSTRUCT {{ {template} }} WHERE {{ {binds} }}"

        term = st.one_of(self.expression, self.literal, self.triple_term, self.resource)  # expressions are rarely leaves
        return st.lists(term, min_size=1, max_size=3).map(queries)

    def update(self) -> st.SearchStrategy[str]:
        """A SPARQL Update request, which a read-only endpoint refuses."""
        return st.tuples(self.prologue, st.sampled_from(UPDATES), self.triples(()), self.graph).map(
            lambda t: _join(t[0], t[1].format(t=t[2], g=t[3].strip("<>"))))

    def service(self) -> st.SearchStrategy[str]:
        """A query calling a remote service, spelt one of many ways; the guard must refuse it."""
        return st.tuples(st.sampled_from(SERVICES), self.triples(())).map(
            lambda t: f"PREFIX nowhere: <{NOWHERE}> PREFIX xsd: <{PREFIXES['xsd']}>\n"
                      f"SELECT * WHERE {{ ?s ?p ?o . {t[0].format(u=NOWHERE, t=t[1])} }} LIMIT 1")

    @st.composite
    def broken(draw, self) -> str:
        """A valid query (generated or canned) with a few spans deleted, doubled or replaced by stray tokens."""
        text = draw(st.one_of(self.query(), pick(self.seeds)))
        for _ in range(draw(st.integers(1, 3))):
            start = draw(st.integers(0, len(text)))
            end = draw(st.integers(start, min(len(text), start + 12)))
            edit = draw(st.sampled_from(["delete", "double", "replace", "truncate"]))
            if edit == "delete":
                text = text[:start] + text[end:]
            elif edit == "double":
                text = text[:end] + text[start:end] + text[end:]
            elif edit == "replace":
                text = text[:start] + draw(st.sampled_from(STRAY_TOKENS)) + text[end:]
            else:
                text = text[:start]
        return text

    def nested(self) -> st.SearchStrategy[str]:
        """A valid query nested 3 to 30,000 deep, in one of the grammar's recursive constructs.

        Blank node property lists stop at 30: pyoxigraph takes seconds to prepare one 100 deep,
        and minutes at 300 (reported), which would stall the run rather than fail it.
        """
        deep = st.sampled_from([3, 30, 300, 3000, 30000])
        return st.one_of(
            st.tuples(st.sampled_from(sorted(NESTINGS)), deep).map(lambda t: NESTINGS[t[0]](t[1])),
            st.sampled_from([3, 10, 30]).map(lambda n: f"SELECT * WHERE {{ ?s ?p {'[ ?p ' * n}?o{' ]' * n} }} LIMIT 1"),
        )

    def any_query(self) -> st.SearchStrategy[str]:
        """Mostly valid queries; else broken, deeply nested ones, updates and SERVICE calls."""
        return mostly(self.query(), st.one_of(self.broken(), self.nested(), self.update(), self.service()))


def mostly(usual: st.SearchStrategy, unusual: st.SearchStrategy) -> st.SearchStrategy:
    """``usual`` three times in four.

    Not one_of(usual, usual, usual, unusual), which merges the copies; nor integers(0, 3), which favours 0.
    """
    return st.sampled_from([True, True, True, False]).flatmap(lambda common: usual if common else unusual)


def pick(pool: tuple[str, ...]) -> st.SearchStrategy[str]:
    """One of ``pool``: sampled_from, without a strategy repr as long as the pool."""
    return st.integers(0, len(pool) - 1).map(pool.__getitem__)


def _quoted(text: str) -> str:
    """A SPARQL string literal holding ``text``; a lone surrogate is written as an escape it cannot encode."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return '"' + "".join(ch if not 0xD800 <= ord(ch) <= 0xDFFF else f"\\u{ord(ch):04X}" for ch in escaped) + '"'


def _prefixed(iri: str) -> str | None:
    for prefix, namespace in PREFIXES.items():
        local = iri[len(namespace):]
        if iri.startswith(namespace) and local and local.replace("-", "").replace("_", "").isalnum():
            return f"{prefix}:{local}"
    return None

