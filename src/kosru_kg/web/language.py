"""The interface language of each request, through Flask-Babel; the headers that say which it is.

Pages are rendered in the language ``i18n.choose`` picks. An HTML answer carries
``Content-Language``, ``Vary: Accept-Language, Cookie`` (the cookie may choose the language)
and an entity tag of its own language (``http_cache``); answers that are not pages (RDF,
SPARQL results, JSON) are the same in every language and carry none of these.

``?lang=xx`` picks a language for one URL; the switcher on every page links to the current
URL with it, and when it differs from the ``lang`` cookie the answer also sets the cookie
(``SameSite=Lax``, path ``/``), so that later pages keep the language. An answer setting a
cookie is private: no shared cache keeps it.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from flask import Flask, Response, g, has_request_context, request
from flask_babel import Babel, Domain, format_date, format_datetime, format_decimal, get_locale, gettext, ngettext

from kosru_kg.web import i18n


class CompiledDomain(Domain):
    """Flask-Babel's domain over the catalogs compiled at start, instead of .mo files on disk."""

    def __init__(self, catalogs):
        super().__init__(domain="messages")
        self.cache.update(((locale_id, "messages"), catalog) for locale_id, catalog in catalogs.items())

    def get_translations(self):
        locale = get_locale()
        return self.cache.get((str(locale), "messages")) or self.cache[(i18n.LOCALES[i18n.DEFAULT], "messages")]


def register(app: Flask) -> None:
    babel = Babel(app, locale_selector=lambda: i18n.LOCALES[language()])
    babel.domain_instance = CompiledDomain(i18n.compile_catalogs())  # one Babel object per app: its catalogs
    app.after_request(_describe)
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # a {% trans %} block's msgid is its text on one line
    app.jinja_env.filters.update(gettext=gettext, isodate=isodate, isodatetime=isodatetime)
    app.jinja_env.globals["page_language"] = language  # for macros, which do not see the context
    app.context_processor(lambda: {"language": language(), "languages": switcher()})


def language() -> str:
    """This request's interface language, as a BCP 47 tag (chosen once per request); English outside one."""
    if not has_request_context():
        return i18n.DEFAULT
    chosen = g.get("language")
    if chosen is None:
        chosen = g.language = i18n.from_environ(request.environ)  # as the whole-answer cache's key names it
        request.environ[i18n.LANGUAGE_KEY] = chosen
    return chosen


def translate(message: str, **variables) -> str:
    """``gettext`` in a request; the English text outside one (a picture drawn by a test or a script)."""
    return gettext(message, **variables) if has_request_context() else message % variables


def translate_plural(singular: str, plural: str, num: int, **variables) -> str:
    if has_request_context():
        return ngettext(singular, plural, num, **variables)
    return (singular if num == 1 else plural) % {"num": num, **variables}


def number(value: int) -> str:
    """A whole number as the page's language writes it."""
    return format_decimal(value) if has_request_context() else f"{value:,}"


def switcher() -> list[tuple[str, str, str, bool]]:
    """The switcher's links: (tag, the language's own name, this URL in it, whether it is the current one)."""
    current = language()
    others = [(k, v) for k, v in request.args.items(multi=True) if k != i18n.PARAMETER]
    path = request.script_root + request.path
    return [(tag, name, f"{path}?{urlencode([*others, (i18n.PARAMETER, tag)])}", tag == current)
            for tag, name in i18n.ENDONYMS.items()]


def isodate(value: str) -> str:
    """An ISO date (or the date of an ISO date-time) as the page's language writes it."""
    try:
        return format_date(dt.date.fromisoformat(value[:10]), format="long")
    except (TypeError, ValueError):
        return value


def isodatetime(value: str) -> str:
    """An ISO date-time in UTC as the page's language writes it (stated as UTC where the page says so)."""
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError, AttributeError):
        return value
    return format_datetime(moment, format="medium", rebase=False)


def is_page(response: Response) -> bool:
    return response.mimetype == "text/html"


def _describe(response: Response) -> Response:
    if not is_page(response):
        return response
    tag = language()
    response.headers["Content-Language"] = tag
    response.vary.update(("Accept-Language", "Cookie"))
    asked = i18n.cookie_to_set(*i18n.preferences(request.environ)[:2])
    if asked:
        response.set_cookie(i18n.COOKIE, asked, max_age=i18n.COOKIE_SECONDS, path="/", samesite="Lax")
    return response
