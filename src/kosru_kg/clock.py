"""Today's date, read in one place, and noted when read.

An answer that says what holds "today" (the home page's map, ``asOf=today``, a state's position
now) changes with the day, not only with the published version: the web app notes the days its
answer read (``noting``), and keeps and tags that answer per day as well as per version.

``utc_today`` is where the date comes from, in UTC (tests replace it to move the day);
``today`` is what the code calls.
"""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar, Token

_noted: ContextVar[list[dt.date] | None] = ContextVar("kosru_kg.clock.noted", default=None)


def utc_today() -> dt.date:
    """The date now, in UTC: the one source of today's date."""
    return dt.datetime.now(dt.UTC).date()


def today() -> dt.date:
    """Today's date (UTC), noted in the list of whoever is noting (see ``noting``)."""
    day = utc_today()
    noted = _noted.get()
    if noted is not None:
        noted.append(day)
    return day


def noting(days: list[dt.date]) -> Token:
    """From now on, in this context (a request's thread), every day ``today`` gives is appended to ``days``,
    until ``stop_noting`` is given the token this returns."""
    return _noted.set(days)


def stop_noting(token: Token) -> None:
    _noted.reset(token)
