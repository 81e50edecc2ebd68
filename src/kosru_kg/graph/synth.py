"""A synthetic graph of the real graph's shapes, at any size: for measuring how the store scales.

The synthetic graph is the real graph plus made-up states, each with its capital, stadium,
teams, newspaper, officials and sources, and, for every year from 1990 to 2025, the same
kinds of facts the real data holds: claims about their positions on Kosovo (some
later reported withdrawn), memberships, stances with reasons, statements, events, hosted
tournaments with matches and results, relations, vetoes and recognition counts.

Synthetic facts are records of the same tables as ``data/`` and become triples through the
real ``Mapper``, so they have exactly the real graph's shapes. Their ids start with
``syn-<kind>-``, so a reference resolves from its id alone and no record is kept once
mapped: the graph streams out in small chunks, each referring only to itself, to earlier
chunks and to the real facts. Each state draws from its own seeded generator, so a graph
is the same for the same size and seed, and a smaller graph is a prefix of a larger one.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import BinaryIO

from pyoxigraph import RdfFormat, Triple, parse

from kosru_kg.config import Settings
from kosru_kg.graph.build import compile_graph, kosru_superclasses
from kosru_kg.graph.facts import ENTITIES, EVENTS, Date, Facts, Record, Ref, read_facts
from kosru_kg.graph.mapping import Mapper
from kosru_kg.graph.store import Manifest, Progress, StoreLayout, quiet
from kosru_kg.vocab import Minter

GENERATOR = "kosru-synth-1"  # part of each version hash: change it when the generator's output changes
YEARS = range(1990, 2026)
BLOCK = 25  # states per block; each block brings a made-up territory, organisation, federation and cup
CHUNK_MAX = 1_000  # more triples than any one chunk holds: the bound on overshooting a target
STATEMENTS_PER_YEAR = 6  # per state
EVENTS_PER_YEAR = 3  # per state
TOPIC_SHARE = 0.002  # the share of synthetic statements and decisions about Kosovo or Russia
# A step's progress reporter: given its label and length, it yields the function told each advance.
ProgressBar = Callable[[str, int], AbstractContextManager[Callable[[int], None]]]

# The table (and, for entities, the type) of each kind of synthetic id, ``syn-<kind>-...``.
KINDS: dict[str, tuple[str, str | None]] = {
    "state": ("entities", "State"), "territory": ("entities", "PartiallyRecognisedState"),
    "org": ("entities", "InternationalOrganization"), "organ": ("entities", "Organ"),
    "federation": ("entities", "SportsFederation"), "medium": ("entities", "NewsMedium"),
    "person": ("entities", "Person"), "city": ("entities", "City"), "region": ("entities", "Region"),
    "venue": ("entities", "Venue"), "team": ("entities", "Team"), "series": ("entities", "CompetitionSeries"),
    "work": ("entities", "MusicalWork"), "source": ("sources", None), "role": ("roles", None),
    "membership": ("memberships", None), "position": ("positions", None), "count": ("counts", None),
    "event": ("events", None), "tournament": ("sporting_events", None), "match": ("matches", None),
    "result": ("results", None), "stance": ("stances", None), "statement": ("statements", None),
    "veto": ("vetoes", None), "relation": ("relations", None),
}
POSITIONS = ("opposes", "supports", "welcomes", "regards-as-illegal", "regards-as-counterweight",
             "resists-pressure", "aligns-with", "regards-as-obstacle", "advocates-negotiated-settlement",
             "at-odds-with", "hesitant")
REASONS = ("territorial-integrity", "sovereignty", "secession-precedent", "serbian-orthodox-heritage",
           "ties-with-serbia", "strategic-interests")
SUPPORT_KINDS = ("political", "military", "economic", "diplomatic")
RELATION_STATUSES = ("no-official-relations", "cold", "warming", "allied", "normalising", "diplomatic-relations")
MEDALS = ("gold", "silver", "bronze")
CATEGORIES = ("−48 kg", "−52 kg", "−57 kg", "−63 kg", "−70 kg", "−60 kg", "−66 kg", "−73 kg")
SYLLABLES = ("ka", "lo", "mi", "ren", "sa", "to", "vi", "dra", "el", "na", "bor", "is", "an", "ju", "pe", "zor")


class SynthError(ValueError):
    """A synthetic graph cannot be made as asked; the message says why."""


class World(Facts):
    """The real facts, plus every synthetic record, known from its id alone."""

    @classmethod
    def around(cls, facts: Facts) -> World:
        world = cls()
        for table, records in facts.tables.items():
            world.add(table, records)
        return world

    def matches(self, ref: Ref) -> list[Record]:
        if ref.ident.startswith("syn-"):
            table, kind = KINDS[ref.ident.split("-")[1]]
            return [Record(table, 0, {"id": ref.ident, "type": kind, "label": ref.ident})]  # label: for summaries
        return super().matches(ref)


class Synthesiser:
    """A synthetic graph of at least ``target`` triples around the real graph (read and validated once)."""

    def __init__(self, settings: Settings, target: int, seed: int = 0):
        facts = read_facts(settings.data_dir)
        self.graph = compile_graph(settings, facts)
        if target < self.real_triples:
            raise SynthError(f"the real graph alone has {self.real_triples} triples; ask for at least that many")
        self.world = World.around(facts)
        self.minter = Minter(settings.base_iri)
        self.mapper = Mapper(self.minter, kosru_superclasses(self.graph.ontology))
        self.target, self.seed = target, seed

    @property
    def real_triples(self) -> int:
        return len(self.graph.default_triples)

    def version(self) -> str:
        """A version name: the same real graph, size and seed always give the same one."""
        key = f"{GENERATOR}:{self.graph.version()}:{self.target}:{self.seed}"
        return "synth-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]

    def fact_triples(self) -> Iterator[list[Triple]]:
        """Synthetic triples in chunks, until with the real graph's they number at least the target.

        They stop less than CHUNK_MAX triples past the target. Every triple is about a synthetic
        subject, so none repeats a real triple or another synthetic one.
        """
        count = self.real_triples
        for records in _chunks(self.seed):
            if count >= self.target:
                return
            triples = [t for record in records for t in self.mapper.record_triples(self.world, record)]
            count += len(triples)
            yield triples

    def write_nquads(self, out: BinaryIO, advance: Callable[[int], None] = lambda n: None) -> int:
        """Write the graph as N-Quads laid out as a build publishes it; return its triple count.

        Like a build, every fact is in the facts graph and in the default graph, and the
        ontology in its own graph and in the default graph. ``advance`` is told each chunk's
        triple count, for a progress bar.
        """
        for quad in self.graph.quads(self.minter):
            out.write(f"{quad} .\n".encode())
        advance(self.real_triples)
        facts = f" {self.minter.graph('facts')} .\n"
        count = self.real_triples
        for triples in self.fact_triples():
            out.write("".join(f"{t}{facts}{t} .\n" for t in triples).encode("utf-8"))
            count += len(triples)
            advance(len(triples))
        return count


def no_progress(label: str, length: int) -> AbstractContextManager[Callable[[int], None]]:
    """A progress reporter that reports nothing."""
    return nullcontext(lambda done: None)


def build_store(settings: Settings, target: int, seed: int = 0, *, progress: ProgressBar = no_progress) -> Manifest:
    """Make a synthetic graph of at least ``target`` triples the current version of ``settings.store``.

    The graph is written to a temporary N-Quads file beside the store, then bulk-loaded, so the
    generator's objects never pile up in memory; ``progress`` is given each step's label and length.
    """
    synthesiser = Synthesiser(settings, target, seed)
    layout = StoreLayout(settings.store)
    layout.root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=layout.root, prefix="synth-") as work:
        path = Path(work) / "graph.nq"
        triples = generate(synthesiser, path, progress=progress)
        return load(layout, path, synthesiser.version(), triples, progress=progress)


def generate(synthesiser: Synthesiser, path: Path, *, progress: ProgressBar = no_progress) -> int:
    """Write the graph to the N-Quads file ``path``; return its triple count."""
    with path.open("wb") as out, progress("generating", synthesiser.target) as advance:
        return synthesiser.write_nquads(out, advance)


def load(layout: StoreLayout, path: Path, version: str, triples: int, *,
         progress: ProgressBar = no_progress, stages: Progress = quiet) -> Manifest:
    """Bulk-load the N-Quads file ``path`` and make it ``layout``'s current version, ``version`` (``stages``:
    told each stage, as ``StoreLayout.make_current`` tells them; the search index is made on the way)."""
    with path.open("rb") as raw, progress("loading", path.stat().st_size) as advance:
        quads = parse(_Reading(raw, advance), format=RdfFormat.N_QUADS)
        return layout.make_current(quads, version, triples, progress=stages)


class _Reading:
    """A binary file that reports how many bytes each read took, for a progress bar."""

    def __init__(self, raw: BinaryIO, advance: Callable[[int], None]):
        self.raw, self.advance = raw, advance

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.advance(len(data))
        return data


# --- the synthetic records -------------------------------------------------------------------

def _chunks(seed: int) -> Iterator[list[Record]]:
    """Synthetic records, one state and then one of its years at a time, for ever."""
    for state in itertools.count(1):
        rng = random.Random(f"{GENERATOR}:{seed}:{state}")
        maker = _StateMaker(state, rng)
        yield maker.base()
        for year in YEARS:
            yield maker.year(year)


def _record(table: str, ident: str, **values) -> Record:
    return Record(table, 0, {"id": ident, **{k: v for k, v in values.items() if v is not None and v != ()}})


def _entity(ident: str) -> Ref:
    return Ref(ENTITIES, ident)


def _subject(ident: str) -> Ref:
    """A reference to an entity or an event, as a stance's, statement's or event's subject."""
    return Ref(ENTITIES + EVENTS, ident)


def _concept(ident: str) -> Ref:
    return Ref(("concepts",), ident)


class _StateMaker:
    """The records of one synthetic state, drawn from its own generator."""

    def __init__(self, number: int, rng: random.Random):
        self.n, self.rng = number, rng
        self.block = (number - 1) // BLOCK
        self.name = f"Synthetic State {number}"
        self.state = f"syn-state-{number}"
        self.sources = (Ref(("sources",), f"syn-source-{number}"),)
        self.people = [self._person_name() for _ in range(5)]

    # helpers

    def _person_name(self) -> str:
        return f"{self._word()} {self._word()}"

    def _word(self) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 3))).capitalize()

    def _date(self, year: int, day: bool = False) -> Date:
        """A date in ``year``, mostly to the day, sometimes only to the month or the year."""
        precision = "day" if day else self.rng.choices(("day", "month", "year"), (7, 2, 1))[0]
        month, date = self.rng.randint(1, 12), self.rng.randint(1, 28)
        return Date({"year": f"{year}", "month": f"{year}-{month:02d}", "day": f"{year}-{month:02d}-{date:02d}"}[precision])

    def _other(self) -> int | None:
        """An earlier synthetic state, or None for the first."""
        return self.rng.randint(1, self.n - 1) if self.n > 1 else None

    def _territory(self) -> str:
        return f"syn-territory-{self.rng.randint(0, self.block)}"

    def _verification(self) -> tuple[Ref | None, str | None]:
        """Mostly verified (left unsaid); now and then unverified, disputed or inferred, with why."""
        roll = self.rng.random()
        for limit, level in ((0.03, "unverified"), (0.05, "disputed"), (0.06, "inferred")):
            if roll < limit:
                return _concept(level), f"Marked {level} by the generator, as the sources would mark a weak claim."
        return None, None

    def _fact(self, table: str, ident: str, **values) -> Record:
        verification, note = self._verification()
        return _record(table, ident, sources=self.sources, verification=verification,
                       note=values.pop("note", None) or note, **values)

    # one state and its standing entities

    def base(self) -> list[Record]:
        n, name, state, rng = self.n, self.name, self.state, self.rng
        founded = rng.randint(1990, 2000)
        records = self._block() if (n - 1) % BLOCK == 0 else []
        records += [
            _record("sources", f"syn-source-{n}", kind="web-page", title=f"Yearbook of {name}",
                    url=f"https://example.org/synthetic/{n}", publisher=f"{name} Statistics Office",
                    published=Date(str(rng.randint(2010, 2025))), source_class=_concept("official-source")),
            self._fact("entities", state, type="State", label=name, alt_labels=(f"Republic of {name}",),
                       description=f"A made-up state of the synthetic graph, founded in {founded}."),
            self._fact("entities", f"syn-city-{n}", type="City", label=f"{name} City", country=_entity(state)),
            self._fact("entities", f"syn-venue-{n}", type="Venue", label=f"National Stadium of {name}",
                       country=_entity(state), part_of=_entity(f"syn-city-{n}")),
            self._fact("entities", f"syn-team-{n}", type="Team", label=f"{name} national football team",
                       country=_entity(state)),
            self._fact("entities", f"syn-team-{n}-women", type="Team",
                       label=f"{name} women's national football team", country=_entity(state)),
            self._fact("entities", f"syn-medium-{n}", type="NewsMedium", label=f"The {name} Herald",
                       country=_entity(state)),
            self._fact("entities", f"syn-work-{n}", type="MusicalWork", label=f"Song of {name}"),
        ]
        roles = ("president", "prime-minister", "ambassador", "athlete", "singer")
        for k, (person, role) in enumerate(zip(self.people, roles)):
            records.append(self._fact("entities", f"syn-person-{n}-{k}", type="Person", label=person,
                                      description=f"A made-up {role.replace('-', ' ')} of {name}."))
        for k, role in enumerate(roles[:3]):
            start = rng.randint(founded, 2020)
            posted = (_entity(f"syn-state-{self._other()}") if n > 1 and rng.random() < 0.7
                      else _entity("united-nations")) if role == "ambassador" else None
            records.append(self._fact(
                "roles", f"syn-role-{n}-{k}", label=f"{self.people[k]}, {role.replace('-', ' ')} of {name}",
                person=_entity(f"syn-person-{n}-{k}"), role=_concept(role), on_behalf_of=_entity(state),
                posted_to=posted, start=self._date(start),
                end=self._date(rng.randint(start, 2025)) if rng.random() < 0.4 else None))
        records += [
            self._fact("memberships", f"syn-membership-{n}-un", member=_entity(state),
                       organization=_entity("united-nations"),
                       status=_concept("member" if rng.random() < 0.95 else "non-member"),
                       since=self._date(rng.randint(founded, 2010))),
            self._fact("memberships", f"syn-membership-{n}-org", member=_entity(state),
                       organization=_entity(f"syn-org-{self.block}"), status=_concept("member"),
                       since=self._date(rng.randint(founded, 2020))),
            *self._positions(),
            *(self._stance(k) for k in range(3)),
        ]
        for other in sorted({self._other() for _ in range(2)} - {None}):
            status = rng.choice(RELATION_STATUSES)
            records.append(self._fact(
                "relations", f"syn-relation-{n}-{other}", parties=(_entity(state), _entity(f"syn-state-{other}")),
                status=_concept(status), start=self._date(rng.randint(founded, 2025)) if rng.random() < 0.6 else None,
                description=f"Relations between {name} and Synthetic State {other} are {status.replace('-', ' ')}."))
        return records

    def _block(self) -> list[Record]:
        """A block's shared entities: a territory seeking recognition, an organisation and a cup."""
        b, rng = self.block, self.rng
        territory = f"syn-territory-{b}"
        declared = rng.randint(1995, 2015)
        return [
            self._fact("entities", territory, type="PartiallyRecognisedState", label=f"Synthetic Territory {b}",
                       description="A made-up territory that declared independence and seeks recognition."),
            self._fact("entities", f"syn-region-{b}", type="Region", label=f"Synthetic Region {b}"),
            self._fact("entities", f"syn-org-{b}", type="InternationalOrganization", label=f"Synthetic Union {b}"),
            self._fact("entities", f"syn-organ-{b}", type="Organ", label=f"Council of the Synthetic Union {b}",
                       part_of=_entity(f"syn-org-{b}")),
            self._fact("entities", f"syn-federation-{b}", type="SportsFederation",
                       label=f"Synthetic Football Federation {b}"),
            self._fact("entities", f"syn-series-{b}", type="CompetitionSeries", label=f"Synthetic Cup {b}"),
            self._fact("events", f"syn-event-declaration-{b}", type="DeclarationOfIndependence",
                       label=f"Synthetic Territory {b} declares independence",
                       description=f"The made-up territory of block {b} proclaimed itself independent.",
                       start=self._date(declared, day=True), agents=(_entity(territory),),
                       subject=(_subject(territory),), place=(_entity(f"syn-region-{b}"),)),
            self._fact("counts", f"syn-count-{b}", measure=_concept("recognising"), subject=_entity(territory),
                       value=rng.randint(5, 120), qualifier=_concept(rng.choice(("exact", "more-than"))),
                       out_of=193, scope=_entity("united-nations"), as_of=self._date(rng.randint(declared, 2025)),
                       claimed_by=_entity(territory)),
        ]

    def _positions(self) -> list[Record]:
        """Claims about this state's position on Kosovo, in the real roster's proportions."""
        rng, n = self.rng, self.n
        state, kosovo = _entity(self.state), _entity("kosovo")
        status = rng.choices(("recognised", "does-not-recognise", "withdrawal-reported"), (55, 35, 10))[0]
        year = rng.randint(2008, 2025)
        if status == "does-not-recognise":
            return [self._fact("positions", f"syn-position-{n}-no", state=state, recognition_of=kosovo,
                               position=_concept("does-not-recognise"), date=self._date(year))]
        claims = [self._fact("positions", f"syn-position-{n}-yes", state=state, recognition_of=kosovo,
                             position=_concept("recognised"), date=self._date(year))]
        if status == "withdrawal-reported":
            claims.append(self._fact("positions", f"syn-position-{n}-withdrawn", state=state, recognition_of=kosovo,
                                     position=_concept("withdrawal-reported"), by=_entity("serbia"),
                                     date=self._date(rng.randint(year, 2025))))
            if rng.random() < 0.5:
                claims.append(self._fact("positions", f"syn-position-{n}-denied", state=state, recognition_of=kosovo,
                                         position=_concept("withdrawal-denied"), by=_entity("kosovo")))
        return claims

    def _stance(self, k: int) -> Record:
        rng = self.rng
        position = rng.choice(POSITIONS)
        subject = (self._topic(rng.choice(("kosovo", "serbia", "russia", "declaration-of-independence-2008")),
                               TOPIC_SHARE * 5)
                   or rng.choice((self._territory(), f"syn-event-declaration-{rng.randint(0, self.block)}",
                                  f"syn-state-{self._other() or self.n}")))
        return self._fact(
            "stances", f"syn-stance-{self.n}-{k}", holder=_entity(self.state), position=_concept(position),
            subject=_subject(subject), reasons=tuple(_concept(r) for r in sorted(rng.sample(REASONS, rng.randint(0, 3)))),
            support_kinds=tuple(_concept(s) for s in sorted(rng.sample(SUPPORT_KINDS, rng.randint(1, 3))))
            if position == "supports" else (),
            start=self._date(rng.randint(2008, 2025)) if rng.random() < 0.5 else None,
            description=f"{self.name} {position.replace('-', ' ')} on this question, the generator says.")

    # one year of a state's facts

    def year(self, year: int) -> list[Record]:
        n, rng, state = self.n, self.rng, self.state
        records = [self._statement(year, k) for k in range(STATEMENTS_PER_YEAR)]
        records += [self._event(year, k) for k in range(EVENTS_PER_YEAR)]
        if (year + n) % 4 == 0 and n > 1:
            records += self._tournament(year)
        if rng.random() < 0.02:
            records.append(self._fact(
                "vetoes", f"syn-veto-{n}-{year}", actor=(_entity(state),), body=_entity("un-security-council"),
                mode=_concept(rng.choice(("cast", "threatened", "power-invoked"))),
                subject=(_subject(self._territory()),), date=self._date(year),
                description=f"{self.name} is said to have blocked a resolution in {year}."))
        if rng.random() < 0.03:
            records.append(self._fact(
                "counts", f"syn-count-{n}-{year}", measure=_concept(rng.choice(("recognising", "not-recognising"))),
                subject=_entity(self._topic("kosovo", 0.1) or self._territory()),
                value=rng.randint(1, 150), qualifier=_concept("exact"), as_of=self._date(year),
                claimed_by=_entity(state)))
        return records

    def _topic(self, ident: str, chance: float) -> str | None:
        """``ident`` (a resource of the real graph's own story) with the given chance, else None."""
        return ident if self.rng.random() < chance else None

    def _statement(self, year: int, k: int) -> Record:
        """A statement by one of the state's officials, now and then about Kosovo or Russia."""
        n, rng = self.n, self.rng
        speaker = k % 3
        about = {self._territory(), rng.choice((self.state, f"syn-state-{self._other() or n}"))}
        about |= {topic for topic in (self._topic("kosovo", TOPIC_SHARE / 2), self._topic("russia", TOPIC_SHARE / 2))
                  if topic}
        return self._fact(
            "statements", f"syn-statement-{n}-{year}-{k}", speaker=_entity(f"syn-person-{n}-{speaker}"),
            speaker_role=Ref(("roles",), f"syn-role-{n}-{speaker}"), date=self._date(year),
            medium=_entity(f"syn-medium-{n}") if rng.random() < 0.7 else None,
            about=tuple(_subject(a) for a in sorted(about)),
            content=f"{self.people[speaker]} spoke in {year} on the status of the territories concerned.")

    def _event(self, year: int, k: int) -> Record:
        n, rng, name, state = self.n, self.rng, self.name, self.state
        kind = rng.choice(("Election", "Agreement", "Decision", "Ceremony", "RecognitionOfIndependence"))
        other = self._other()
        values: dict = {"type": kind, "start": self._date(year)}
        if kind == "Election":
            values |= {"label": f"Election in {name}, {year} ({k + 1})", "place": (_entity(state),),
                       "subject": (_subject(state),), "description": f"Voters of {name} elected a parliament."}
        elif kind == "Agreement" and other:
            values |= {"label": f"Agreement between {name} and Synthetic State {other}, {year} ({k + 1})",
                       "participants": (_entity(state), _entity(f"syn-state-{other}")),
                       "broker": (_entity(f"syn-org-{self.block}"),) if rng.random() < 0.3 else (),
                       "place": (_entity(f"syn-city-{n}"),), "outcome": "Both sides agreed to open trade offices.",
                       "description": "The two states signed a treaty on trade and travel."}
        elif kind == "Ceremony":
            values |= {"label": f"Ceremony in {name}, {year} ({k + 1})", "place": (_entity(f"syn-venue-{n}"),),
                       "agents": (_entity(state),), "description": f"{name} celebrated its national day."}
        else:
            territory = self._topic("kosovo", TOPIC_SHARE) or self._territory()
            values |= {"type": "Decision" if kind == "Agreement" else kind,
                       "label": f"{name} takes a decision on a status question, {year} ({k + 1})",
                       "agents": (_entity(state),), "subject": (_subject(territory),),
                       "cites": _subject(f"syn-event-declaration-{rng.randint(0, self.block)}")
                       if rng.random() < 0.2 else None,
                       "description": f"{name} took a formal position on a territory seeking recognition."}
        return self._fact("events", f"syn-event-{n}-{year}-{k}", **values)

    def _tournament(self, year: int) -> list[Record]:
        """A cup hosted by this state: its matches against earlier states, a result, maybe a performance."""
        n, rng, name, state = self.n, self.rng, self.name, self.state
        event = f"syn-tournament-{n}-{year}"
        start = self._date(year, day=True)
        records = [self._fact(
            "sporting_events", event, label=f"Synthetic Cup {self.block}, {year} edition in {name}",
            competition=_entity(f"syn-series-{self.block}"), edition=str(year),
            organizer=_entity(f"syn-federation-{self.block}"), host_city=_entity(f"syn-city-{n}"),
            host_country=_entity(state), start=start, end=Date(f"{start.text[:8]}28"),
            description=f"A made-up football cup hosted by {name} in {year}.")]
        for k in range(rng.randint(2, 4)):
            other, women = self._other(), rng.random() < 0.3
            suffix = "-women" if women else ""
            home, away = (f"syn-team-{n}{suffix}", f"syn-team-{other}{suffix}")[:: rng.choice((1, -1))]
            status = rng.choices(("played", "postponed", "scheduled"), (90, 7, 3))[0]
            played = status == "played"
            records.append(self._fact(
                "matches", f"syn-match-{n}-{year}-{k}", label=f"{name} v Synthetic State {other}, {year}",
                part_of=Ref(EVENTS, event), home=_entity(home), away=_entity(away),
                home_score=rng.randint(0, 5) if played else None, away_score=rng.randint(0, 5) if played else None,
                status=_concept(status), date=Date(f"{start.text[:8]}{rng.randint(int(start.text[8:]), 28):02d}"),
                venue=_entity(f"syn-venue-{n}"), venue_country=_entity(state), neutral_venue=False,
                description=f"A group game of the {year} cup in {name}."))
        opponent = self._other()
        records.append(self._fact(
            "results", f"syn-result-{n}-{year}", event=Ref(EVENTS, event), competitor=_entity(f"syn-person-{n}-3"),
            represents=_entity(state), flag=_entity(state) if rng.random() < 0.8 else _entity(f"syn-federation-{self.block}"),
            category=rng.choice(CATEGORIES), medal=_concept(rng.choice(MEDALS)),
            final_opponent=_entity(f"syn-person-{opponent}-3"),
            description=f"{self.people[3]} reached the final of the {year} championships at home."))
        if rng.random() < 0.3:
            records.append(self._fact(
                "events", f"syn-event-{n}-{year}-performance", type="Performance",
                label=f"{self.people[4]} sings at the {year} cup", performer=(_entity(f"syn-person-{n}-4"),),
                work=_entity(f"syn-work-{n}"), part_of=Ref(EVENTS, event), start=start,
                description=f"The opening show of the {year} cup in {name}."))
        return records
