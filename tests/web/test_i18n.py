"""The interface's five languages: negotiation, complete catalogs, every page in every language, caching.

The catalogs are checked against a fresh extraction (``babel.cfg``: the code, the templates and
the questions' headers), so a new string without a translation fails here, in every language.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from kosru_kg import formats
from kosru_kg.graph.labels import to_latin
from kosru_kg.web import i18n

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [tag for tag in i18n.LOCALES if tag != i18n.DEFAULT]
LANGUAGES = list(i18n.LOCALES)
HTML = {"Accept": "text/html"}

# ---------------------------------------------------------------------------
# Negotiation: ?lang=, then the cookie, then Accept-Language with its q-values, then English
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("accept_language", "chosen"), [
    (None, "en"),
    ("", "en"),
    ("de", "en"),  # unknown: English
    ("*", "en"),
    ("sq", "sq"),
    ("sq-AL", "sq"),
    ("sq-XK", "sq"),
    ("ru-RU", "ru"),
    ("RU", "ru"),
    ("sr", "sr-Cyrl"),  # Serbian without a script: Cyrillic
    ("sr-RS", "sr-Cyrl"),
    ("sr-ME", "sr-Cyrl"),
    ("sr-Latn", "sr-Latn"),
    ("sr-latn-rs", "sr-Latn"),
    ("sr-Cyrl-RS", "sr-Cyrl"),
    ("sr_Latn", "sr-Latn"),
    ("de, ru;q=0.5, sq;q=0.8", "sq"),  # the highest q-value among the known ones
    ("de;q=1, ru;q=0.1", "ru"),  # an unknown best falls through to the next known
    ("ru;q=0.5, sr-Latn;q=0.5", "ru"),  # equal q: the header's order
    ("ru;q=0, sq;q=0.2", "sq"),  # q=0: not acceptable
    ("fr, *;q=0.5, ru;q=0.4", "en"),  # the wildcard is acceptable before ru: English
    ("en-GB, ru;q=0.9", "en"),
    ("sr-Latn;q=0.3, sr;q=0.6", "sr-Cyrl"),
])
def test_accept_language(accept_language, chosen):
    assert i18n.choose(None, None, accept_language) == chosen


def test_parameter_then_cookie_then_header():
    assert i18n.choose("ru", "sq", "sr") == "ru"
    assert i18n.choose(None, "sq", "ru") == "sq"
    assert i18n.choose("xx", "sq", "ru") == "sq"  # an unknown ?lang= is ignored
    assert i18n.choose("xx", "yy", "ru") == "ru"  # and so is an unknown cookie
    assert i18n.choose("SR-latn", None, None) == "sr-Latn"
    assert i18n.choose("sr", None, None) == "sr-Cyrl"


def test_from_environ_agrees_with_the_request_values():
    environ = {"QUERY_STRING": "a=1&lang=sr-Latn", "HTTP_COOKIE": "lang=ru", "HTTP_ACCEPT_LANGUAGE": "sq"}
    assert i18n.from_environ(environ) == "sr-Latn"
    assert i18n.from_environ({"HTTP_COOKIE": "other=1; lang=ru", "HTTP_ACCEPT_LANGUAGE": "sq"}) == "ru"
    assert i18n.from_environ({"HTTP_ACCEPT_LANGUAGE": "sr-RS,en;q=0.5"}) == "sr-Cyrl"
    assert i18n.from_environ({}) == "en"


# ---------------------------------------------------------------------------
# The catalogs: complete for every language, no stale entries, sr_Latn the transliteration of sr_Cyrl
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A fresh POT extracted with the project's babel.cfg (code, templates, question headers)."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "--no-location",
                                "-o", str(pot), str(ROOT)])
    with pot.open("rb") as handle:
        return read_po(handle)


def _catalog(tag: str):
    with i18n.catalog_path(i18n.LOCALES[tag]).open("rb") as handle:
        return read_po(handle, locale=i18n.LOCALES[tag])


def test_extraction_finds_the_interface_and_the_questions(template):
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    assert {"Questions", "Which states have recognised Kosovo, according to which sources, and when?",
            "Year of recognition", "Withdrawal reported",
            "Political or diplomatic event", "Not found", "%(num)d row"} <= ids
    assert len(ids) > 300


@pytest.mark.parametrize("tag", TRANSLATED)
def test_every_string_is_translated(template, tag):
    catalog = _catalog(tag)
    problems = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        if found is None:
            problems.append(f"missing: {message.id!r}")
        elif found.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not all(found.string if isinstance(found.string, tuple) else (found.string,)):
            problems.append(f"untranslated: {message.id!r}")
        elif isinstance(found.string, tuple) and len(found.string) != catalog.num_plurals:
            problems.append(f"{len(found.string)} plural forms, not {catalog.num_plurals}: {message.id!r}")
    extracted = {(m.id, m.context) for m in template if m.id}
    problems += [f"stale (no longer in the code): {m.id!r}" for m in catalog if m.id and (m.id, m.context) not in extracted]
    for message, errors in catalog.check():  # placeholders of python-format strings match
        problems += [f"{error}: {message.id!r}" for error in errors]
    assert problems == []


def test_serbian_latin_is_the_transliteration_of_cyrillic():
    cyrillic, latin = _catalog("sr-Cyrl"), _catalog("sr-Latn")
    for message in cyrillic:
        if not message.id:
            continue
        expected = (tuple(map(to_latin, message.string)) if isinstance(message.string, tuple)
                    else to_latin(message.string))
        assert latin.get(message.id, context=message.context).string == expected, message.id
    assert not re.search("[\u0400-\u04ff]", i18n.catalog_path("sr_Latn").read_text(encoding="utf-8"))


def test_catalogs_compile():
    compiled = i18n.compile_catalogs()
    assert compiled["ru"].gettext("Questions") == "Вопросы"
    assert compiled["sr_Latn"].gettext("Questions") == "Pitanja"
    assert compiled["sq"].ngettext("%(num)d row", "%(num)d rows", 2) == "%(num)d rreshta"
    assert compiled["ru"].ngettext("%(num)d row", "%(num)d rows", 5) == "%(num)d строк"


# ---------------------------------------------------------------------------
# Every page in every language
# ---------------------------------------------------------------------------

PAGES = {
    "home": "/",
    "questions": "/questions",
    "question": "/questions/recognitions-per-year",
    "question with a form": "/questions/recognitions-in-year?year=2008",
    "state": "/state/russia",
    "person": "/person/vladimir-putin",
    "event": "/event/declaration-of-independence-2008",
    "position claim": "/position/costa-rica-recognised-2008",
    "state with a position strip": "/state/burundi",
    "roster question": "/questions/recognitions-as-of?asOf=2008-10-31&viewpoint=source-dates",
    "source": "/source/article-cultural-ties",
    "concept": "/concept/withdrawal-reported",
    "label": "/label/russia-sq",
    "ontology": "/ontology",
    "timeline": "/timeline",
    "editor": "/query?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%203",
    "editor, ASK": "/query?query=ASK%20%7B%7D",
    "endpoint": "/sparql",
    "catalogue": "/.well-known/dcat",
    "versions": "/versions",
    "openapi": "/openapi",
    "not found": "/state/no-such-state",
    "bad request": "/questions/recognitions-in-year?year=1900",
}
STATUS = {"not found": 404, "bad request": 400}
# English interface text that a page in another language must not show (the data's names may stay English).
ENGLISH = [">Questions</a>", ">Timeline</a>", ">Query editor</a>", ">Downloads</a>", ">Versions</a>",
           "What the graph says about", ">Statements<", ">Sources<", ">Linked from<", "Cite this dataset",
           ">Answer<", "Run query", "Service description", "Data catalogue", "API of the questions",
           ">Not found<", "Bad request", "No results", "Recognitions of Kosovo per year", "Reported withdrawals",
           "Political or diplomatic event", "Subclass of", " rows)", ">Formats<", "Published (UTC)"]


@pytest.mark.parametrize("tag", LANGUAGES)
@pytest.mark.parametrize("page", list(PAGES))
def test_page_in_language(client, page, tag):
    response = client.get(PAGES[page], headers={**HTML, "Accept-Language": f"{tag}, en;q=0.1"})
    assert response.status_code == STATUS.get(page, 200)
    body = response.get_data(as_text=True)
    assert response.headers["Content-Language"] == tag
    assert re.search(r'<html lang="([^"]+)"', body).group(1) == tag
    assert "Accept-Language" in response.headers["Vary"]
    if tag != "en":
        shown = [text for text in ENGLISH if text in body]
        assert shown == [], f"{page} in {tag} shows English interface text"
        assert 'class="languages"' in body or page in STATUS


def test_switcher_links_keep_the_query(client):
    body = client.get("/questions/recognitions-in-year?year=2010&lang=ru", headers=HTML).get_data(as_text=True)
    for tag in LANGUAGES:
        assert f'href="/questions/recognitions-in-year?year=2010&amp;lang={tag}"' in body
    assert 'lang="ru" aria-current="true">Русский</a>' in body


# ---------------------------------------------------------------------------
# Headers, the cookie, caching
# ---------------------------------------------------------------------------


def test_lang_parameter_sets_the_cookie_which_then_chooses(app):
    client = app.test_client()
    response = client.get("/questions?lang=sq", headers=HTML)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=sq;") and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert response.headers["Cache-Control"].startswith("private")
    later = client.get("/timeline", headers={**HTML, "Accept-Language": "ru"})  # the cookie beats the header
    assert later.headers["Content-Language"] == "sq"
    assert "Set-Cookie" not in later.headers
    again = client.get("/questions?lang=sq", headers=HTML)  # the cookie already says so: nothing to set
    assert "Set-Cookie" not in again.headers and again.headers["Cache-Control"].startswith("public")


def test_entity_tags_differ_per_language_and_revalidate(client):
    tags = {}
    for tag in LANGUAGES:
        response = client.get("/questions", headers={**HTML, "Accept-Language": tag})
        tags[tag] = response.headers["ETag"]
        again = client.get("/questions", headers={**HTML, "Accept-Language": tag, "If-None-Match": tags[tag]})
        assert again.status_code == 304
        assert "Accept-Language" in again.headers["Vary"]
    assert len(set(tags.values())) == len(LANGUAGES)
    stale = client.get("/questions", headers={**HTML, "Accept-Language": "ru", "If-None-Match": tags["sq"]})
    assert stale.status_code == 200 and stale.headers["Content-Language"] == "ru"


def test_kept_pages_are_kept_per_language(app):
    """The whole-answer cache sends each language its own page, however often each is asked for."""
    client, with_cookie = app.test_client(), app.test_client()
    with_cookie.set_cookie("lang", "sr-Cyrl")
    for _ in range(2):
        for tag, word in (("en", "Questions"), ("ru", "Вопросы"), ("sq", "Pyetjet"), ("sr-Latn", "Pitanja")):
            body = client.get("/questions", headers={**HTML, "Accept-Language": tag}).get_data(as_text=True)
            assert f"<h1>{word}</h1>" in body
        cookie = with_cookie.get("/questions", headers={**HTML, "Accept-Language": "ru"}).get_data(as_text=True)
        assert "<h1>Питања</h1>" in cookie


@pytest.mark.parametrize("path", ["/state/russia.ttl", "/state/russia", "/.well-known/void", "/ontology.ttl",
                                  "/questions/recognising-states.csv"])
def test_rdf_and_results_are_the_same_in_every_language(client, path):
    accept = {"Accept": "text/turtle"} if "." not in path.rsplit("/", 1)[-1] else {}
    answers = [client.get(path, headers={**accept, "Accept-Language": tag}) for tag in LANGUAGES]
    assert len({answer.headers["ETag"] for answer in answers}) == 1
    answers.append(client.get(path + "?lang=ru", headers=accept))
    assert len({answer.get_data() for answer in answers}) == 1
    for answer in answers:
        assert answer.status_code == 200
        assert "Content-Language" not in answer.headers
        assert "Accept-Language" not in answer.headers.get("Vary", "")


def test_rdf_tags_ignore_the_language(client):
    tags = {client.get("/state/russia.ttl", headers={"Accept-Language": tag}).headers["ETag"] for tag in LANGUAGES}
    assert len(tags) == 1


# ---------------------------------------------------------------------------
# Names in the page's language; English, marked, where the data has no other
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("tag", "name"), [("en", "Russia"), ("sq", "Rusi"), ("sr-Cyrl", "Русија"),
                                           ("sr-Latn", "Rusija"), ("ru", "Россия")])
def test_state_named_in_the_page_language(client, tag, name):
    body = client.get("/state/russia", headers={**HTML, "Accept-Language": tag}).get_data(as_text=True)
    assert f'<h1 lang="{tag}">{name}</h1>' in body


def test_other_names_fall_back_to_english_visibly(client):
    body = client.get("/person/vladimir-putin", headers={**HTML, "Accept-Language": "ru"}).get_data(as_text=True)
    assert '<h1 lang="en">Vladimir Putin</h1>' in body
    assert re.search(r'<span lang="en">[^<]+</span>', body)  # the English description, marked
    english = client.get("/person/vladimir-putin", headers=HTML).get_data(as_text=True)
    assert '<h1 lang="en">Vladimir Putin</h1>' in english


def test_question_table_names_states_in_the_page_language(client):
    body = client.get("/questions/recognising-states", headers={**HTML, "Accept-Language": "sr-Cyrl"}).get_data(
        as_text=True)
    assert ">Француска</a>" in body
    assert "17. фебруар 2008." in body  # dates by Babel, in Serbian


def test_numbers_and_dates_by_locale(client):
    english = client.get("/", headers=HTML).get_data(as_text=True)
    russian = client.get("/", headers={**HTML, "Accept-Language": "ru"}).get_data(as_text=True)
    triples = int(re.search(r"<strong>([\d,]+)</strong> triples", english).group(1).replace(",", ""))
    assert f"{triples:,}" in english
    assert f"{triples:,}".replace(",", "\xa0") in russian  # Russian groups thousands with a no-break space


# ---------------------------------------------------------------------------
# No English on a page in another language, data included
# ---------------------------------------------------------------------------

DATA_PAGES = ["/state/ghana", "/state/russia", "/position/ghana-reaffirmed-2018-by-kosovo",
              "/veto/veto-threat-2007-07-20"]
ROOT = Path(__file__).resolve().parents[2]


def _words(text: str | tuple) -> set[str]:
    """The words of four letters or more in ``text`` (or in each text of a plural message), lower-cased."""
    texts = text if isinstance(text, tuple) else (text,)
    return {word.lower() for text in texts for word in re.findall(r"[A-Za-z][a-z]{3,}", text)}


@pytest.fixture(scope="module")
def english_words(store) -> set[str]:
    """The words the site writes in English: its interface (every msgid), the ontology's and the concepts' English
    names, and the sentence frames of labels and summaries, less the words of the data's own names (a state's
    name may be the same in English and Albanian)."""
    words = set()
    for message in _catalog("ru"):
        if message.id:
            words |= _words(message.id)
    labels = store.query("SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label>|"
                         "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER(LANG(?l) = 'en') "
                         "FILTER(STRSTARTS(STR(?s), 'https://w3id.org/kosru/ontology#') || "
                         "STRSTARTS(STR(?s), 'https://w3id.org/kosru/concept/')) }")
    for row in labels:
        words |= _words(row["l"].value)
    names = store.query("SELECT ?l WHERE { ?s a <https://w3id.org/kosru/ontology#Entity> ; "
                        "<http://www.w3.org/2000/01/rdf-schema#label> ?l }")
    return words - {word for row in names for word in _words(row["l"].value)}


def _shown_text(element) -> str:
    """The text a reader sees, less what is marked lang="en" and the titles of sources (links to /source/…)."""
    parts = []
    for child in element.children:
        if isinstance(child, str):
            parts.append(child)
        elif not _left_out(child):
            parts.append(_shown_text(child))
    return " ".join(parts)


def _left_out(element) -> bool:
    if element.tag in ("script", "style", "code", "title") or element.attrs.get("lang", "").startswith("en"):
        return True
    return element.tag == "a" and element.attrs.get("href", "").startswith(("/source/", "http"))


@pytest.mark.parametrize("tag", TRANSLATED)
@pytest.mark.parametrize("path", DATA_PAGES)
def test_data_pages_show_no_english_word(client, store, english_words, path, tag):
    """A state page and a claim page in another language: the interface, the data's names, the claims' labels and
    summaries, the properties' and classes' names are all in that language; English shows only in source titles
    and in fallbacks marked lang="en"."""
    from htmltree import page

    root = page(client.get(path, headers={**HTML, "Accept-Language": tag}))
    body = next(root.all("body"))
    own = {word for message in _catalog(tag) if message.string for word in _words(message.string)}
    own |= {word for row in store.query(f"SELECT ?l WHERE {{ ?s <http://www.w3.org/2000/01/rdf-schema#label>|"
                                        f"<http://www.w3.org/2004/02/skos/core#prefLabel> ?l "
                                        f"FILTER(LANGMATCHES(LANG(?l), '{tag}')) }}") for word in _words(row["l"].value)}
    own |= {word for f in formats.FORMATS for word in _words(f.label)} | {"wikidata"}  # names, in every language
    english = _words(_shown_text(body)) & english_words - own
    assert not english, f"{path} in {tag} shows English words: {sorted(english)}"
