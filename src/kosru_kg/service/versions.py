"""Published versions: their list, their archived dumps, and the changes between two of them. No Flask here.

Publishing archives every dump of a version (``graph.store``: ``dumps/<version>/``), written and
checked before the version became current; they are only ever read here. The changes between two
versions are the set differences of their default graphs (their canonical N-Triples): blank
nodes are compared by their canonical labels.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, Quad, Triple, parse

from kosru_kg import formats
from kosru_kg.errors import BadRequest, NotFound
from kosru_kg.formats import Format
from kosru_kg.graph import serialization
from kosru_kg.graph.store import VERSION_NAME, Release, StoreLayout

NTRIPLES = formats.dump("ntriples")  # the default graph, line by line: what changes are computed from


class Versions:
    """The versions published in a store folder (none if nothing was ever built there), or, with no
    store (``None``: a server answering from a remote store), none, and the folder is never read."""

    def __init__(self, store: Path | str | None):
        self.layout = StoreLayout(Path(store)) if store is not None else None

    def releases(self) -> list[Release]:
        return self.layout.releases() if self.layout is not None else []

    def find(self, version: str) -> Release | None:
        """The version of that name if it was published here, else None."""
        return self.layout.release(version) if self.layout is not None and VERSION_NAME.match(version) else None

    def release(self, version: str) -> Release:
        """The version of that name; an unknown (or malformed) name is a 404 naming the known ones."""
        found = self.find(version)
        if found is None:
            raise NotFound(f"there is no version {version!r}; {self.known()}")
        return found

    def known(self) -> str:
        if self.layout is None:
            return "this server answers from a remote store and keeps no versions of its own"
        names = [r.version for r in self.releases()]
        return f"the versions are {', '.join(names)}" if names else "no version has been published here"

    def previous(self, version: str) -> Release | None:
        """The version published before ``version``, if any."""
        releases = self.releases()
        index = next(i for i, r in enumerate(releases) if r.version == version)
        return releases[index - 1] if index else None

    def dump(self, version: str, fmt: Format) -> bytes:
        """``version``'s dump in ``fmt``, as publishing archived it. 404 if the version is unknown or was
        published without an archive (a synthetic graph); nothing is rendered here."""
        release = self.release(version)
        try:
            return self.layout.dump_path(release.version, fmt.file_name).read_bytes()
        except FileNotFoundError:
            raise NotFound(f"version {version} was published without its dumps (a synthetic graph?); "
                           "only versions built from data/ keep them") from None

    def changes(self, old: str, new: str) -> Changes:
        """The triples of ``new``'s default graph not in ``old``'s (added), and the reverse (removed)."""
        before, after = (set(self._triples(version)) for version in (old, new))
        return Changes(self.release(old), self.release(new), _sorted(after - before), _sorted(before - after))

    def _triples(self, version: str) -> Iterable[Triple]:
        self.release(version)
        path = self.layout.dump_path(version, NTRIPLES.file_name)
        if not path.is_file():
            raise NotFound(f"version {version} was published without its dumps, so its changes are not known")
        return (q.triple for q in _read(path, NTRIPLES))

    def from_version(self, new: str, old: str | None) -> str:
        """The version to compare ``new`` with: ``old`` if given, else the one published before ``new``."""
        self.release(new)
        if old is not None:
            if not old:
                raise BadRequest(f"'from' names the version to compare {new} with; {self.known()}")
            return self.release(old).version
        previous = self.previous(new)
        if previous is None:
            raise NotFound(f"version {new} is the first one published here, so it has no earlier version to "
                           f"compare with by default; name one with 'from': {self.known()}")
        return previous.version


@dataclass(frozen=True)
class Changes:
    old: Release
    new: Release
    added: list[Triple]
    removed: list[Triple]

    def by_subject(self) -> list[tuple[str, list[Triple], list[Triple]]]:
        """Each subject that changed (its N-Triples form), with its added and its removed triples."""
        subjects: dict[str, tuple[list[Triple], list[Triple]]] = {}
        for side, triples in enumerate((self.added, self.removed)):
            for t in triples:
                subjects.setdefault(str(t.subject), ([], []))[side].append(t)
        return [(subject, added, removed) for subject, (added, removed) in sorted(subjects.items())]

    def patch(self) -> bytes:
        """As an RDF Patch: one transaction, the removed triples (``D``) first, then the added ones (``A``)."""
        lines = [f"H id <{self.iri('patch')}> .", "TX ."]
        lines += [f"D {t} ." for t in self.removed]
        lines += [f"A {t} ." for t in self.added]
        lines.append("TC .")
        return ("\n".join(lines) + "\n").encode("utf-8")

    def trig(self, base_iri: str) -> bytes:
        """As TriG: the added triples in one named graph, the removed in another (``iri('added')``, ``iri('removed')``)."""
        quads = [Quad(t.subject, t.predicate, t.object, NamedNode(self.iri(side)))
                 for side, triples in (("added", self.added), ("removed", self.removed)) for t in triples]
        return serialization.render(quads, formats.dump("trig"), base_iri)

    def iri(self, part: str) -> str:
        """A name for this change set (``patch``) or one of its graphs (``added``, ``removed``)."""
        return f"urn:kosru:changes:{self.old.version}:{self.new.version}:{part}"


def _read(path: Path, fmt: Format) -> list[Quad]:
    with path.open("rb") as handle:
        return list(parse(handle, format=fmt.engine))


def _sorted(triples: set[Triple]) -> list[Triple]:
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
