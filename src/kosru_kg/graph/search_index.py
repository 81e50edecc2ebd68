"""The search index of a published version: every name of every resource, folded, in SQLite FTS5.

Why SQLite FTS5: it is in Python's standard library (no service, no new dependency), one file
that can be written aside and renamed into the version's folder, read by any number of
processes at once (opened read-only and immutable), with prefix queries.

What is indexed: each resource of the data set (an IRI under the base, or a term of the
ontology) with a name (``vocab.SEARCH_NAMES``: the ``NAMING`` properties, preferred, and
``skos:altLabel``, ``foaf:name``, ``schema:name``, other names) in any language: one row per
name. Beside each resource its kind (the first segment of its IRI path under the base, or
``ontology``), the name pages show it by (``vocab.names``) and a short summary
(``vocab.SUMMARIES``, the first ``SUMMARY_CHARS`` characters).

Folding (``fold``), applied alike to the names indexed and to the words searched for: Cyrillic
letters become Latin ones (Serbian letters by Serbian Latin, Ђ written Dj: Ђ→Dj, Љ→Lj, Њ→Nj, Џ→Dž,
Ћ→Ć, Ч→Č, Ш→Š, Ж→Ž, Ј→J, Х→H, Ц→C; letters only other Cyrillic alphabets have by simple
English-style spellings: Я→Ya, Ю→Yu, Й→Y, Щ→Shch, Ы→Y, Э→E, Ё→Yo, Ь and Ъ dropped), then Đ/đ→dj
(so ``Ђаковица``, ``Đakovica`` and ``Djakovica`` all fold to ``djakovica``), a few letters with no
decomposition (Ł→l, Ø→o, Æ→ae, Œ→oe, Þ→th, ı→i), then NFKD with the combining marks dropped
(``kosovë`` → ``kosove``, ``Priština`` → ``pristina``, ``Dž`` → ``dz``), then case folding. FTS5's
``unicode61`` tokenizer splits the folded text into words.

A search (``SearchIndex.search``) never passes the user's text to FTS5 as syntax: the text is
folded and cut into words (runs of letters and digits), and each word is quoted as an FTS5
string, the last with a ``*`` for a prefix, joined by FTS5's implicit AND: ``"kosovo" "war"*``.
So quotes, AND/OR/NOT/NEAR, ``*``, ``^``, ``:``, parentheses and column filters are only words
or separators. Every word but the last must be a whole word of the name; the last may be the
start of one (``majlinda kel``). Names change their last vowel (in Albanian and Serbian:
``Kosova``, ``Kosovë``, ``Kosovo``; ``Srbija``, ``Srbije``), so a name equal to the search but for
the last vowels of words of five or more letters ranks just below an equal one; and if the
words as typed find nothing, they are looked for as prefixes without those last vowels, then
as prefixes (``kos war``), ranked lower.

Ranking: a name equal to the whole search first (outright, then but for last vowels), then names
with the words as typed, then names found by the fallbacks; within each, preferred names before
other names, then fewer words, then shorter names. That is the order the names are stored in (a
static rank), so a search reads at most ``CANDIDATES`` names in that order and stops, however
many match. Each resource once, by its best name. Why not FTS5's bm25: every name found has every
word, and names are short (a word seldom twice), so bm25 would order them by length alone, at the
cost of counting, for each word, every name that has it (30 ms for a search of common words at
10^7 triples, where this reads a handful of rows).
"""

from __future__ import annotations

import os
import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import DefaultGraph, Literal, NamedNode, Store, Triple

from kosru_kg.vocab import DEFAULT_BASE, KOSRU, NAMING, SEARCH_NAMES, SUMMARIES, XL_NAME, Minter, names, term

FILE_NAME = "search.sqlite"  # in the version's folder, beside the Oxigraph store's files
FORMAT = "1"  # the index's layout; an index of another format is rebuilt
SUMMARY_CHARS = 160
MAX_QUERY_CHARS = 200  # longer search texts are refused (a 400 on the web)
MAX_RESULTS = 50
MAX_WORDS = 12  # words of a search beyond these are ignored
CANDIDATES = 400  # matching names read (the first in the static rank) before resources are ranked and cut
EQUAL, EQUAL_BUT_VOWELS, WORDS, FALLBACK = range(4)  # how a name matched, best first
PREFIX_INDEXED = 3  # FTS5 keeps prefixes of up to this many characters as words of their own (prefix = '1 2 3')

_CYRILLIC = {
    # Serbian (and shared) letters, by the standard Serbian Latin alphabet.
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "dj", "е": "e", "ж": "ž", "з": "z", "и": "i",
    "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n", "њ": "nj", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "ћ": "ć", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "č", "џ": "dž", "ш": "š",
    # Letters of other Cyrillic alphabets (Russian, Ukrainian, Belarusian, Macedonian).
    "й": "y", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "ё": "yo",
    "є": "ye", "ї": "yi", "і": "i", "ґ": "g", "ў": "u", "ѓ": "gj", "ќ": "kj", "ѕ": "dz",
}
_OTHER = {"đ": "dj", "ð": "d", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i", "ß": "ss"}
_TABLE = str.maketrans({**_CYRILLIC, **{k.upper(): v.capitalize() for k, v in _CYRILLIC.items()},
                        **_OTHER, **{k.upper(): v.capitalize() for k, v in _OTHER.items() if len(k.upper()) == 1}})
_WORD = re.compile(r"\w+")
_VOWELS = frozenset("aeiouy")


def fold(text: str) -> str:
    """``text`` as it is indexed and searched: Latin script, no accents, case folded (see the module)."""
    latin = text.translate(_TABLE)
    bare = "".join(c for c in unicodedata.normalize("NFKD", latin) if not unicodedata.combining(c))
    return bare.casefold()


def words(text: str) -> list[str]:
    """The words of ``text`` once folded: runs of letters and digits (``_`` separates too)."""
    return _WORD.findall(fold(text).replace("_", " "))[:MAX_WORDS]


def match_expression(terms: list[str], prefixes: str = "last") -> str:
    """FTS5 syntax matching names that have every one of ``terms`` as a word, the last one (``prefixes``
    "last"), every one ("all") or none ("none") as a word's start: each term a quoted FTS5 string, so never
    an operator."""
    last = len(terms) - 1
    return " ".join('"' + term.replace('"', '""') + '"'
                    + ("*" if prefixes == "all" or (prefixes == "last" and i == last) else "")
                    for i, term in enumerate(terms))


def _relaxed(terms: list[str]) -> list[str]:
    return [t[:-1] if len(t) >= 5 and t[-1] in _VOWELS else t for t in terms]


@dataclass(frozen=True)
class Hit:
    iri: str
    kind: str
    label: str  # the name the resource is shown by
    summary: str | None
    matched: str  # the name that matched (may be the label)


# --- building -----------------------------------------------------------------------------------

ALT_LABEL = term("skos:altLabel")  # what a name in another language counts as here


def kind_of(iri: str, base_iri: str) -> str | None:
    """The kind of a resource shown in search results, or None if it has no page here."""
    if iri.startswith(KOSRU):
        return "ontology"
    if iri.startswith(base_iri):
        first = iri[len(base_iri):].split("/", 1)
        return first[0] if len(first) == 2 and first[0] and first[1] else None
    return None


def store_triples(store: Store) -> Iterable[Triple]:
    """The default graph's triples the index is made of: names and summaries, and the names in other
    languages, read through their SKOS-XL label as alternative names of the resource."""
    for predicate in (*SEARCH_NAMES, *SUMMARIES):
        for quad in store.quads_for_pattern(None, predicate, None, DefaultGraph()):
            yield quad.triple
    to_label, literal_form = XL_NAME
    forms = {q.subject: q.object for q in store.quads_for_pattern(None, literal_form, None, DefaultGraph())}
    for quad in store.quads_for_pattern(None, to_label, None, DefaultGraph()):
        if quad.object in forms:
            yield Triple(quad.subject, ALT_LABEL, forms[quad.object])


def build(path: Path, triples: Iterable[Triple], base_iri: str, version: str) -> int:
    """Write the index of ``triples`` (names and summaries) to ``path``, aside then renamed; return its names."""
    preferred = set(NAMING)
    name_rows: list[tuple[str, str, bool]] = []
    summaries: dict[str, tuple[int, str]] = {}
    named: list[Triple] = []
    rank = {p: i for i, p in enumerate(SUMMARIES)}
    for t in triples:
        if not isinstance(t.subject, NamedNode) or not isinstance(t.object, Literal):
            continue
        iri = t.subject.value
        if t.predicate in rank:
            key = (rank[t.predicate] * 2 + (t.object.language not in (None, "en")), t.object.value)
            if iri not in summaries or key < summaries[iri]:
                summaries[iri] = key
        else:
            name_rows.append((iri, t.object.value, t.predicate in preferred))
            named.append(t)
    shown = names(named)
    written = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    written.unlink(missing_ok=True)
    connection = sqlite3.connect(written)
    try:
        connection.executescript("""
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA page_size = 8192;
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
            CREATE TABLE resources (id INTEGER PRIMARY KEY, iri TEXT NOT NULL, kind TEXT NOT NULL,
                                    label TEXT NOT NULL, summary TEXT);
            CREATE VIRTUAL TABLE names USING fts5(name, resource UNINDEXED, preferred UNINDEXED,
                                                  original UNINDEXED, kind UNINDEXED,
                                                  tokenize = 'unicode61', prefix = '1 2 3');
            CREATE TABLE exact (stem TEXT NOT NULL, name TEXT NOT NULL, resource INTEGER NOT NULL,
                                preferred INTEGER NOT NULL, original TEXT NOT NULL, kind TEXT NOT NULL);
        """)
        ids: dict[str, int] = {}
        resources, rows, exact = [], [], []
        # Row order is a static rank: preferred names first, then fewer words, then shorter. A search
        # ranks at most CANDIDATES matching names, the first in this order, so a vague search stays fast.
        ordered = sorted((not preferred, len(folded.split()), len(folded), iri, text, preferred, folded)
                         for iri, text, preferred in set(name_rows) for folded in [fold(text)])
        for *_, iri, text, is_preferred, folded in ordered:
            kind = kind_of(iri, base_iri)
            if kind is None or not folded.strip():
                continue
            if iri not in ids:
                ids[iri] = len(ids) + 1
                summary = summaries.get(iri)
                resources.append((ids[iri], iri, kind, shown[iri].value if iri in shown else text,
                                  _shorten(summary[1]) if summary else None))
            rows.append((folded, ids[iri], int(is_preferred), text, kind))
            name_words = _WORD.findall(folded.replace("_", " "))
            exact.append((" ".join(_relaxed(name_words)), " ".join(name_words), ids[iri], int(is_preferred), text,
                          kind))
        connection.executemany("INSERT INTO resources VALUES (?, ?, ?, ?, ?)", resources)
        connection.executemany("INSERT INTO names (name, resource, preferred, original, kind) VALUES (?, ?, ?, ?, ?)", rows)
        connection.executemany("INSERT INTO exact VALUES (?, ?, ?, ?, ?, ?)", exact)
        connection.execute("CREATE INDEX exact_stem ON exact (stem)")
        connection.execute("INSERT INTO names (names) VALUES ('optimize')")
        connection.executemany("INSERT INTO meta VALUES (?, ?)", [("format", FORMAT), ("version", version),
                                                                   ("base", base_iri)])
        connection.commit()
    finally:
        connection.close()
    with open(written, "rb") as done:
        os.fsync(done.fileno())
    os.replace(written, path)
    return len(rows)


def build_from_store(store: Store, path: Path, version: str) -> int:
    """Write the index of ``store``'s default graph to ``path``."""
    return build(path, store_triples(store), store_base(store), version)


def store_base(store: Store) -> str:
    """The base of the resources in ``store``: read off its facts graph's name, ``{base}graph/facts``
    (a store holding no such graph, made by a test or a tool, is taken to use the default base)."""
    for graph in store.named_graphs():
        base = Minter.base_of_graph(graph.value, "facts") if isinstance(graph, NamedNode) else None
        if base:
            return base
    return DEFAULT_BASE


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SUMMARY_CHARS:
        return text
    cut = text[:SUMMARY_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"


# --- searching ----------------------------------------------------------------------------------

class IndexUnusable(Exception):
    """The file is not an index this code can read (missing, another format, damaged)."""


class SearchIndex:
    """One version's index, opened read-only; safe to share between threads (a connection per search)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            with self._connect() as connection:
                meta = dict(connection.execute("SELECT key, value FROM meta"))
        except sqlite3.Error as exc:
            raise IndexUnusable(f"{self.path}: {exc}") from exc
        if meta.get("format") != FORMAT:
            raise IndexUnusable(f"{self.path}: format {meta.get('format')}, not {FORMAT}")
        self.version, self.base_iri = meta.get("version"), meta.get("base")

    def _connect(self) -> sqlite3.Connection:
        if not self.path.is_file():
            raise sqlite3.OperationalError("no such file")
        # immutable: the file never changes once renamed into place, so SQLite takes no locks.
        return sqlite3.connect(f"{self.path.as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)

    def search(self, text: str, limit: int = MAX_RESULTS, kind: str | None = None) -> list[Hit]:
        """The resources with a name matching every word of ``text``, best first (see the module)."""
        terms = words(text)
        if not terms:
            return []
        connection = self._connect()
        try:
            return self._search(connection, terms, limit, kind)
        finally:
            connection.close()

    def _search(self, connection: sqlite3.Connection, terms: list[str], limit: int, kind: str | None) -> list[Hit]:
        best: dict[int, tuple[tuple, str]] = {}  # resource → (its best name's rank key, that name)

        def consider(resource: int, key: tuple, original: str) -> None:
            if resource not in best or key < best[resource][0]:
                best[resource] = (key, original)

        relaxed = _relaxed(terms)
        whole = " ".join(terms)
        for resource, name, preferred, original in connection.execute(
                "SELECT resource, name, preferred, original FROM exact WHERE stem = ? AND coalesce(? = kind, 1)",
                (" ".join(relaxed), kind)):
            consider(resource, (EQUAL if name == whole else EQUAL_BUT_VOWELS, not preferred), original)

        def match(expression: str, tier: int) -> int:
            rows = connection.execute("SELECT rowid, resource, original FROM names "
                                      "WHERE names MATCH ? AND coalesce(? = kind, 1) ORDER BY rowid LIMIT ?",
                                      (expression, kind, CANDIDATES)).fetchall()
            for rowid, resource, original in rows:
                consider(resource, (tier, rowid), original)  # the rowid is the static rank
            return len(rows)

        # The words as typed; unless that fills the candidates, the same with the last as a prefix (FTS5
        # reads a prefix's every name, where it reads a whole word's, or an indexed prefix's, only as far
        # as it needs); if that
        # finds nothing, every word as a prefix and without its last vowel; if that finds nothing
        # either, every word as a prefix.
        unique = list(dict.fromkeys(reversed(terms)))[::-1]  # a word once, the last one last
        found = match(match_expression(unique, "none"), WORDS)
        if found < CANDIDATES or len(unique[-1]) <= PREFIX_INDEXED:  # an indexed prefix is read as a word is
            found += match(match_expression(unique, "last"), WORDS)
        if not found and (relaxed == terms or not match(match_expression(_relaxed(unique), "all"), FALLBACK)):
            match(match_expression(unique, "all"), FALLBACK)
        if not best:
            return []
        ranked = sorted(best.items(), key=lambda item: (item[1][0], item[0]))[:limit]
        ids = [resource for resource, _ in ranked]
        rows = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            query = f"SELECT id, iri, kind, label, summary FROM resources WHERE id IN ({','.join('?' * len(chunk))})"
            rows.update((row[0], row[1:]) for row in connection.execute(query, chunk))
        return [Hit(*rows[resource], original) for resource, (_, original) in ranked]
