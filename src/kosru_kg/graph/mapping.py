"""Records into triples: the only place that knows which property a column becomes."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterator, Mapping

from pyoxigraph import Literal, NamedNode, Triple

from kosru_kg.graph import summaries
from kosru_kg.graph.facts import ISO_CODES, TABLE_BY_NAME, Date, Facts, Record, Ref, rests_on_weak_sources
from kosru_kg.vocab import ENTITY_PATHS, KOSRU, RDF_TYPE, RDFS_LABEL, SUMMARY, TABLE_PATHS, Minter, term

XSD_DATE_TYPES = {"year": "xsd:gYear", "month": "xsd:gYearMonth", "day": "xsd:date"}

# Which class each table's resources have (where they live: vocab.TABLE_PATHS).
TABLE_CLASSES = {
    "concepts": "skos:Concept", "roles": "kosru:Role", "memberships": "kosru:Membership",
    "positions": "kosru:PositionClaim", "counts": "kosru:RecognitionCount",
    "sporting_events": "kosru:SportingEvent", "matches": "kosru:Match", "results": "kosru:Result",
    "stances": "kosru:Stance", "statements": "kosru:Statement", "vetoes": "kosru:Veto",
    "relations": "kosru:BilateralRelation",
}
SOURCE_CLASSES = {
    "article": "kosru:Article", "article-section": "kosru:ArticleSection",
    "web-page": "kosru:WebSource", "repository-file": "kosru:RepositoryFile",
    "reference-compilation": "kosru:ReferenceCompilation",
}

_COMMON = {"sources": "prov:wasDerivedFrom", "note": "skos:note", "verification": "kosru:verification"}
_DATES = {"start": "kosru:startDate", "end": "kosru:endDate"}
COLUMNS: dict[str, dict[str, str]] = {
    "sources": {
        "title": "dct:title", "url": "schema:url", "part_of": "dct:isPartOf",
        "publisher": "dct:publisher", "published": "dct:issued", "license": "dct:license",
        "oldid": "schema:version", "language": "dct:language", "as_of": "kosru:asOf",
        "source_class": "kosru:sourceClass", "note": "skos:note",
    },
    "concepts": {
        "label": "skos:prefLabel", "definition": "skos:definition", "exact_match": "skos:exactMatch",
    },
    "entities": {
        **_COMMON, "label": "rdfs:label", "alt_labels": "skos:altLabel",
        "description": "dct:description", "wikidata": "owl:sameAs",
        "iso3166": "kosru:iso3166Alpha2", "iso_alpha3": "kosru:iso3166Alpha3",
        "iso_numeric": "kosru:iso3166Numeric", "iso_status": "kosru:isoCodeStatus", "country": "kosru:country",
    },
    "roles": {
        **_COMMON, **_DATES, "label": "rdfs:label", "person": "kosru:roleHolder",
        "role": "kosru:roleType", "on_behalf_of": "kosru:onBehalfOf", "posted_to": "kosru:postedTo",
    },
    "memberships": {
        **_COMMON, "member": "kosru:member", "organization": "kosru:organization",
        "status": "kosru:membershipStatus", "veto_power": "kosru:holdsVetoPower",
        "since": "kosru:startDate",
    },
    "positions": {
        **_COMMON, "state": "kosru:positionOf", "recognition_of": "kosru:recognitionOf",
        "position": "kosru:claimedPosition",
        "date": "kosru:date", "by": "kosru:claimedBy",
    },
    "counts": {
        **_COMMON, "measure": "kosru:measure", "subject": "kosru:countSubject",
        "value": "kosru:value", "qualifier": "kosru:valueQualifier", "out_of": "kosru:outOf",
        "scope": "kosru:scope", "as_of": "kosru:asOf", "claimed_by": "kosru:claimedBy",
    },
    "events": {
        **_COMMON, **_DATES, "label": "rdfs:label", "description": "dct:description",
        "place": "kosru:place", "agents": "kosru:agent", "participants": "kosru:participant",
        "broker": "kosru:brokeredBy", "subject": "kosru:concerns", "cites": "kosru:citesPrecedent",
        "performer": "kosru:performer", "work": "kosru:workPerformed",
        "part_of": "kosru:subEventOf", "outcome": "kosru:outcome",
    },
    "sporting_events": {
        **_COMMON, **_DATES, "label": "rdfs:label", "description": "dct:description",
        "competition": "kosru:competition", "edition": "kosru:edition",
        "organizer": "kosru:organizer", "host_city": "kosru:hostCity",
        "host_country": "kosru:hostCountry",
    },
    "matches": {
        **_COMMON, "label": "rdfs:label", "description": "dct:description",
        "part_of": "kosru:subEventOf", "home": "kosru:homeTeam", "away": "kosru:awayTeam",
        "home_score": "kosru:homeScore", "away_score": "kosru:awayScore",
        "status": "kosru:matchStatus", "date": "kosru:startDate", "venue": "kosru:place",
        "venue_country": "kosru:hostCountry", "neutral_venue": "kosru:neutralVenue",
    },
    "results": {
        **_COMMON, "description": "dct:description", "event": "kosru:inEvent",
        "competitor": "kosru:competitor", "represents": "kosru:represents",
        "flag": "kosru:competedUnderFlagOf", "category": "kosru:category",
        "medal": "kosru:medal", "final_opponent": "kosru:finalOpponent",
    },
    "stances": {
        **_COMMON, **_DATES, "description": "dct:description", "holder": "kosru:holder",
        "position": "kosru:position", "subject": "kosru:stanceOn", "reasons": "kosru:reason",
        "support_kinds": "kosru:supportKind",
    },
    "statements": {
        **_COMMON, "speaker": "kosru:speaker", "speaker_role": "kosru:speakerRole",
        "date": "kosru:date", "medium": "kosru:medium", "about": "kosru:about",
        "content": "kosru:paraphrase",
    },
    "vetoes": {
        **_COMMON, "description": "dct:description", "actor": "kosru:vetoActor",
        "body": "kosru:body", "mode": "kosru:vetoMode", "subject": "kosru:concerns",
        "against": "kosru:vetoedMatter", "date": "kosru:date",
    },
    "relations": {
        **_COMMON, **_DATES, "description": "dct:description", "parties": "kosru:party",
        "status": "kosru:relationStatus",
    },
}
# Entities' part_of means "organ of" for bodies and "located in" for places.
PART_OF = {"Organ": "kosru:organOf", "Mission": "kosru:organOf", "Venue": "kosru:locatedIn",
           "City": "kosru:locatedIn", "Region": "kosru:locatedIn"}


def latest_day(date: Date) -> str:
    """The last day a date of any precision can denote, as xsd:date text."""
    parts = [int(p) for p in date.text.split("-")]
    if date.precision == "year":
        return f"{parts[0]:04d}-12-31"
    if date.precision == "month":
        return f"{date.text}-{calendar.monthrange(parts[0], parts[1])[1]:02d}"
    return date.text


class Mapper:
    """Turns checked facts into triples under one base IRI."""

    def __init__(self, minter: Minter, superclasses: Mapping[str, frozenset[str]] | None = None):
        self.minter = minter
        self.superclasses = superclasses or {}
        self._words: tuple[Facts, dict[str, summaries.Words]] | None = None

    def words(self, facts: Facts) -> dict[str, summaries.Words]:
        """Each language's writer of labels and summaries for ``facts``, English first (made once per data set)."""
        if self._words is None or self._words[0] is not facts:
            self._words = (facts, {language: summaries.Words(facts, language) for language in summaries.LANGUAGES})
        return self._words[1]

    def in_every_language(self, subject: NamedNode, predicate: NamedNode, texts: Mapping[str, str | None],
                          english_too: bool = True) -> Iterator[Triple]:
        """A text per language as language-tagged literals; a language whose text is None (not translated, or
        naming something the data names only in English) gets none, rather than one tagged with a language it
        is not in."""
        for language, text in texts.items():
            if text is not None and (english_too or language != "en"):
                yield Triple(subject, predicate, Literal(text, language=language))

    def iri(self, record: Record) -> NamedNode:
        if record.table == "entities":
            path = ENTITY_PATHS[record.get("type")]
        else:
            path = TABLE_PATHS[record.table]
        return self.minter.resource(path, record.id)

    def scheme_iri(self, scheme: str) -> NamedNode:
        return self.minter.resource("scheme", scheme)

    def classes(self, record: Record) -> list[str]:
        """The record's class, then its kosru: superclasses (so plain queries find it)."""
        if record.table in ("entities", "events"):
            cls = KOSRU + record.get("type")
        elif record.table == "sources":
            cls = term(SOURCE_CLASSES[record.get("kind")]).value
        else:
            cls = term(TABLE_CLASSES[record.table]).value
        return [cls, *sorted(self.superclasses.get(cls, ()))]

    def triples(self, facts: Facts) -> Iterator[Triple]:
        for table, columns in COLUMNS.items():
            for record in facts.records(table):
                yield from self._record(facts, record, columns)
        yield from self._position_summaries(facts)
        for record in facts.records("labels"):
            yield from self._label(facts, record)
        for scheme in sorted({r.get("scheme") for r in facts.records("concepts")}):
            node = self.scheme_iri(scheme)
            yield Triple(node, RDF_TYPE, term("skos:ConceptScheme"))
            names = {language: words.translated(scheme.replace("-", " ")) for language, words in self.words(facts).items()}
            yield from self.in_every_language(node, term("skos:prefLabel"), names)

    def label_iri(self, entity: str, language: str) -> NamedNode:
        return self.minter.resource(TABLE_PATHS["labels"], f"{entity}-{language.lower()}")

    def _label(self, facts: Facts, record: Record) -> Iterator[Triple]:
        """A name in another language: an ``rdfs:label`` with its language tag (what SPARQL users and
        pages ask for), and a SKOS-XL label resource with the same text (``skosxl:literalForm``) that
        says where the name comes from and what it was transliterated from, if it was.
        """
        entity = self.iri(facts.lookup(record.get("entity")))
        language = record.get("language")
        node = self.label_iri(record.get("entity").ident, language)
        text = Literal(record.get("label"), language=language)
        yield Triple(entity, RDFS_LABEL, text)  # the name itself, for whoever asks for rdfs:label in a language
        yield Triple(entity, term("skosxl:prefLabel"), node)
        yield Triple(node, RDF_TYPE, term("skosxl:Label"))
        yield Triple(node, term("skosxl:literalForm"), text)
        yield Triple(node, term("prov:wasDerivedFrom"), self.iri(facts.lookup(record.get("source"))))
        if record.get("derived_from"):
            yield Triple(node, term("kosru:transliteratedFrom"),
                         self.label_iri(record.get("entity").ident, record.get("derived_from")))

    def record_triples(self, facts: Facts, record: Record) -> Iterator[Triple]:
        """One record's triples, its references resolved by ``facts`` (used by the synthetic graph)."""
        return self._record(facts, record, COLUMNS[record.table])

    def _position_summaries(self, facts: Facts) -> Iterator[Triple]:
        """Each state's position on Kosovo over time, as one sentence on the state itself."""
        claims: dict[str, list[Record]] = defaultdict(list)
        for claim in facts.records("positions"):
            claims[claim.get("state").ident].append(claim)
        for _, records in sorted(claims.items()):
            subject = self.iri(facts.lookup(records[0].get("state")))
            texts = {language: summaries.position_summary(words, records) for language, words in self.words(facts).items()}
            yield from self.in_every_language(subject, SUMMARY, texts)

    def _record(self, facts: Facts, record: Record, columns: dict[str, str]) -> Iterator[Triple]:
        subject = self.iri(record)
        for cls in self.classes(record):
            yield Triple(subject, RDF_TYPE, NamedNode(cls))
        described = {language: summaries.describe(words, record) for language, words in self.words(facts).items()}
        described = {language: texts for language, texts in described.items() if texts}
        if "en" in described:
            # A row with a label of its own (a match, a role) keeps it as its English label.
            yield from self.in_every_language(subject, RDFS_LABEL, {k: label for k, (label, _) in described.items()},
                                              english_too="label" not in columns)
            yield from self.in_every_language(subject, SUMMARY, {k: summary for k, (_, summary) in described.items()})
        if record.table == "concepts":
            translated = {language: words.translated(record.get("label")) for language, words in self.words(facts).items()}
            yield from self.in_every_language(subject, term("skos:prefLabel"), translated, english_too=False)
        if columns.get("date") == "kosru:date" and record.get("date"):
            yield Triple(subject, term("kosru:latestDate"), Literal(latest_day(record.get("date")), datatype=term("xsd:date")))
        if record.table == "positions" and record.get("verification") is None and rests_on_weak_sources(facts, record):
            # Derived: a claim whose every source is weak (mirror, blog, draft, aggregator) is unverified.
            yield Triple(subject, term("kosru:verification"), self.minter.resource("concept", "unverified"))
        if record.table == "concepts":
            yield Triple(subject, term("skos:inScheme"), self.scheme_iri(record.get("scheme")))
        if record.table == "entities" and record.get("part_of"):
            prop = PART_OF.get(record.get("type"), "dct:isPartOf")
            yield Triple(subject, term(prop), self.iri(facts.lookup(record.get("part_of"))))
        fields = TABLE_BY_NAME[record.table]
        for column, prop in columns.items():
            value = record.get(column)
            if value is None:
                continue
            predicate = term(prop)
            for item in value if isinstance(value, tuple) else (value,):
                yield Triple(subject, predicate, self._object(facts, fields.field(column).kind, item))
                if isinstance(item, Date) and prop.startswith("kosru:"):
                    precision = self.minter.resource("concept", item.precision)
                    yield Triple(subject, term(prop + "Precision"), precision)

    def _object(self, facts: Facts, kind: str, value):
        if isinstance(value, Ref):
            return self.iri(facts.lookup(value))
        if isinstance(value, Date):
            return Literal(value.text, datatype=term(XSD_DATE_TYPES[value.precision]))
        if isinstance(value, bool):
            return Literal("true" if value else "false", datatype=term("xsd:boolean"))
        if isinstance(value, int):
            return Literal(str(value), datatype=term("xsd:integer"))
        if kind == "iri":
            return NamedNode(value)
        if kind == "qid":
            return NamedNode(term("wd:").value + value)
        if kind in ("slug", *ISO_CODES):
            return Literal(value)
        if kind == "language":
            return Literal(value, datatype=term("xsd:language"))
        return Literal(value, language="en")
