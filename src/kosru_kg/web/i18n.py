"""The interface's languages: which one a request gets, and the gettext catalogs behind them.

Five languages: English (the source text), Albanian, Serbian in Latin and in Cyrillic script,
and Russian. A request's language comes, in order, from ``?lang=`` (a link to one language),
the ``lang`` cookie (set by the language switcher on every page), then ``Accept-Language``
with its q-values; an unknown or absent preference gets English. A tag matches by its
language and script: ``sr`` and ``sr-RS`` (no script) get Cyrillic, the script Serbia's
constitution names; ``sr-Latn-…`` gets Latin; ``sq-XK`` gets Albanian; ``en-GB`` English.

``choose`` is pure and reads only those three strings; ``from_environ`` reads them from a WSGI
environ, and both the app (``web.language``) and the middleware that keeps whole answers (below
Flask) call it, so a kept page's key names the language it was rendered in.

The catalogs themselves (``kosru_kg.catalogs``) are shared with the build, which writes the
data's labels and summaries in every language.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from werkzeug.http import parse_cookie

from kosru_kg.catalogs import DEFAULT, LOCALES, N_, catalog_path, compile_catalogs  # noqa: F401 (the app's names)

# Each language by its own name, as the switcher offers it.
ENDONYMS = {"en": "English", "sq": "Shqip", "sr-Latn": "Srpski (latinica)", "sr-Cyrl": "Српски (ћирилица)",
            "ru": "Русский"}
COOKIE = "lang"
PARAMETER = "lang"
COOKIE_SECONDS = 365 * 24 * 3600
LANGUAGE_KEY = "kosru.language"  # environ key: the language this request's answer was rendered in
_BY_LOWER = {tag.lower(): tag for tag in LOCALES}


def match(tag: str | None) -> str | None:
    """The interface language a language tag asks for, or None if it names none of them."""
    if not tag:
        return None
    tag = tag.strip().replace("_", "-").lower()
    if tag in _BY_LOWER:
        return _BY_LOWER[tag]
    subtags = tag.split("-")
    language = subtags[0]
    if language in ("sr", "sh"):  # Serbian: Latin only when the tag says so (sr-Latn-RS, sr-Latn-ME)
        return "sr-Latn" if "latn" in subtags[1:] else "sr-Cyrl"
    return _BY_LOWER.get(language) if language in ("en", "sq", "ru") else None


def choose(parameter: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The interface language: ``?lang=``, else the cookie, else the best of Accept-Language, else English."""
    for explicit in (parameter, cookie):
        chosen = match(explicit)
        if chosen:
            return chosen
    for tag in accepted(accept_language or ""):
        if tag == "*":
            return DEFAULT
        chosen = match(tag)
        if chosen:
            return chosen
    return DEFAULT


def accepted(header: str) -> list[str]:
    """The language ranges of an Accept-Language header, highest quality first, the header's order among
    equals; ranges of quality 0 (or a malformed one) are left out."""
    ranges = []
    for position, item in enumerate(header.split(",")):
        tag, *parameters = (part.strip() for part in item.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and 0 < quality <= 1:
            ranges.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(ranges)]


def from_environ(environ) -> str:
    """The language of a request's pages: ``choose`` over its ``preferences``."""
    return choose(*preferences(environ))


def preferences(environ) -> tuple[str | None, str | None, str | None]:
    """What a request says of its language: the language of ``?lang=`` (of its first value naming one: a blank
    or unknown value states no preference), the ``lang`` cookie, and Accept-Language."""
    pairs = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    asked = next(filter(None, (match(value) for name, value in pairs if name == PARAMETER)), None)
    cookie = parse_cookie(environ.get("HTTP_COOKIE", "")).get(COOKIE)
    return asked, cookie, environ.get("HTTP_ACCEPT_LANGUAGE")


def cookie_to_set(asked: str | None, cookie: str | None) -> str | None:
    """The language a page's answer sets the cookie to: the one ``?lang=`` asks for, unless the cookie says it."""
    return asked if asked and asked != match(cookie) else None


def transliterate_catalog() -> Path:
    """Write the sr_Latn catalog from the sr_Cyrl one by the standard Serbian transliteration.

    Serbian in Latin script is the same language in the other alphabet: its catalog is kept as a
    real .po file (what Babel and translators read) but never edited by hand; run
    ``kosru-kg transliterate-catalog`` after changing sr_Cyrl. The completeness test checks
    that the two agree.
    """
    from kosru_kg.graph.labels import to_latin

    with catalog_path("sr_Cyrl").open("rb") as po:
        catalog = read_po(po, locale="sr_Cyrl")
    latin = Catalog(locale="sr_Latn", project=catalog.project, version=catalog.version,
                    copyright_holder=catalog.copyright_holder, last_translator=catalog.last_translator,
                    msgid_bugs_address=catalog.msgid_bugs_address, header_comment=catalog.header_comment,
                    language_team="Serbian, Latin script (transliterated from sr_Cyrl)",
                    creation_date=catalog.creation_date, revision_date=catalog.revision_date, fuzzy=False)
    for message in catalog:
        if not message.id:
            continue
        text = tuple(map(to_latin, message.string)) if isinstance(message.string, tuple) else to_latin(message.string)
        latin.add(message.id, text, auto_comments=message.auto_comments, flags=message.flags, context=message.context)
    path = catalog_path("sr_Latn")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po:
        write_po(po, latin, width=0, no_location=True)
    return path
