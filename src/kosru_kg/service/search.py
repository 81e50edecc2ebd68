"""Search of the served version: names in any language and script, from the version's search index.

The index (``kosru_kg.graph.search_index``) is written into the version's folder when the version
is published, so it switches with ``current``. A version published before there were indexes has
none: its index is then made once, on first use, from its store (and written beside it, aside
then renamed); a remote store's version, which has no folder here, from the names its endpoint
answers, into a scratch file of this process. Either way a search never reaches the SPARQL engine
once the index is there.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import tempfile
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, Triple

from kosru_kg.config import Settings
from kosru_kg.errors import BadRequest, ServiceUnavailable
from kosru_kg.graph import search_index
from kosru_kg.graph.search_index import MAX_QUERY_CHARS, MAX_RESULTS, Hit, SearchIndex
from kosru_kg.graph.store import VERSION_NAME, StoreLayout
from kosru_kg.query.backend import Backend
from kosru_kg.vocab import KINDS, SEARCH_NAMES, SUMMARIES, XL_NAME, term

ALT_LABEL = term("skos:altLabel")

# A remote store's names and summaries, for the index of a version that has no folder here.
NAMES_QUERY = f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ VALUES ?p {{ {" ".join(str(p) for p in (*SEARCH_NAMES, *SUMMARIES))} }}
    ?s ?p ?o FILTER(isIRI(?s) && isLiteral(?o)) }}
  UNION  # a name in another language, through its SKOS-XL label: an alternative name of the resource
  {{ ?s {XL_NAME[0]} ?label . ?label {XL_NAME[1]} ?o BIND({ALT_LABEL} AS ?p) }}
}}"""
SEARCH_KINDS = tuple(sorted({*KINDS, "scheme", "ontology"}))  # what ``kind=`` may name


@dataclass(frozen=True)
class Results:
    text: str
    kind: str | None
    hits: list[Hit]
    version: str


def check(text: str | None, kind: str | None) -> tuple[str, str | None]:
    """The search text and kind of a request, or a BadRequest naming what is wrong with them."""
    text = (text or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        raise BadRequest(f"the search text 'q' is {len(text)} characters long; at most {MAX_QUERY_CHARS} are allowed")
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text) or "\x00" in text:
        raise BadRequest("the search text 'q' holds control characters")
    kind = (kind or "").strip().lower() or None
    if kind in ("any", "all"):
        kind = None
    if kind is not None and kind not in SEARCH_KINDS:
        raise BadRequest(f"the kind {kind!r} is not one of: {', '.join(SEARCH_KINDS)}")
    return text, kind


class Search:
    """The served version's index, opened once per version and shared by every thread."""

    def __init__(self, settings: Settings, backend: Backend):
        self.settings, self.backend = settings, backend
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._scratch: Path | None = None  # this process's folder of indexes made from the engine

    def search(self, text: str, kind: str | None = None, limit: int = MAX_RESULTS) -> Results:
        index = self.index()
        try:
            hits = index.search(text, limit=limit, kind=kind) if text else []
        except sqlite3.Error as exc:  # a damaged file: say so, and try again (the next search rebuilds it)
            with self._lock:
                self._index = None
            raise ServiceUnavailable(f"the search index of version {index.version} cannot be read: {exc}",
                                     headers={"Retry-After": "5"}) from exc
        return Results(text, kind, hits, index.version)

    def index(self) -> SearchIndex:
        """The served version's index, made now if it has none (see the module)."""
        version = self.backend.version
        index = self._index
        if index is not None and index.version == version:
            return index
        with self._lock:
            if self._index is None or self._index.version != version:
                self._index = self._open(version)
            return self._index

    def _open(self, version: str) -> SearchIndex:
        store = self.settings.local_store()  # None when serving a remote store: its index is made below
        layout = StoreLayout(Path(store)) if store is not None else None
        folder = layout.versions / version if layout is not None and VERSION_NAME.match(version) else None
        if folder is not None and folder.is_dir():
            try:
                return SearchIndex(layout.ensure_search_index(version))
            except (OSError, search_index.IndexUnusable):
                pass  # a read-only store, say: made from the backend below, into a scratch file
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="kosru-search-"))
            weakref.finalize(self, shutil.rmtree, self._scratch, True)
        # Named by a hash: a remote version's name is whatever its endpoint says.
        path = self._scratch / f"{hashlib.sha256(version.encode('utf-8')).hexdigest()[:32]}.sqlite"
        serving = self._index.path if self._index is not None else None
        for old in self._scratch.iterdir():  # older versions', which no search reads any more
            if old not in (path, serving):
                old.unlink(missing_ok=True)
        triples = [t for t in self.backend.query(NAMES_QUERY) if isinstance(t, Triple)
                   and isinstance(t.subject, NamedNode)]
        search_index.build(path, triples, self.settings.base_iri, version)
        return SearchIndex(path)
