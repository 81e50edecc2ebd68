"""The gettext catalogs of the site's five languages, read by the pages and by the build.

The pages translate their interface with them (``web.i18n``, ``web.language``); the build
writes every fact's label and summary in every language from the same sentence frames
(``graph.summaries``), so a name of the data and the page around it speak one language.
The catalogs are ``web/translations/<locale>/LC_MESSAGES/messages.po``, compiled in memory
when first needed: no ``.mo`` files to build, ship or let fall out of date.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

DEFAULT = "en"
# BCP 47 tag (Content-Language, <html lang>, ?lang=, the cookie, the data's language tags) → Babel's
# locale id (catalogs, CLDR formats). English is the catalogs' source text, its dates written the
# British way ("17 February 2008").
LOCALES = {"en": "en_GB", "sq": "sq", "sr-Latn": "sr_Latn", "sr-Cyrl": "sr_Cyrl", "ru": "ru"}
TRANSLATIONS = Path(__file__).parent / "web" / "translations"


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs where it is defined; it is translated where it is shown."""
    return message


def catalog_path(locale_id: str) -> Path:
    return TRANSLATIONS / locale_id / "LC_MESSAGES" / "messages.po"


@functools.cache
def compile_catalogs() -> dict[str, NullTranslations]:
    """Every language's catalog, compiled from its .po file, by Babel's locale id (English: none needed)."""
    compiled: dict[str, NullTranslations] = {LOCALES[DEFAULT]: NullTranslations()}
    for tag, locale_id in LOCALES.items():
        if tag == DEFAULT:
            continue
        with catalog_path(locale_id).open("rb") as po:
            catalog = read_po(po, locale=locale_id)
        mo = io.BytesIO()
        write_mo(mo, catalog, use_fuzzy=False)
        mo.seek(0)
        compiled[locale_id] = Translations(mo, domain="messages")
    return compiled


def translations(tag: str) -> NullTranslations:
    """The catalog of the language ``tag`` (a key of LOCALES)."""
    return compile_catalogs()[LOCALES[tag]]
