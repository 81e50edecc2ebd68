"""Answers that say what holds today are kept and tagged per day, as well as per version.

The day is moved by replacing ``clock.utc_today``, the one source of today's date; the app, its
whole-answer cache and its tags are the real ones, over the real store.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kosru_kg import clock

NEW_YEARS_EVE, NEW_YEAR = dt.date(2030, 12, 31), dt.date(2031, 1, 1)

# What reads today's date, and what each answer says of the day it was made on.
OF_TODAY = {
    "/": lambda day: f"as of {day.day} {day:%B} {day.year}",  # the map's title: "Recognition of Kosovo as of 31 December 2030"
    "/questions/recognitions-as-of?asOf=today": lambda day: day.isoformat(),
    "/questions/recognitions-as-of.json": lambda day: f'"{day.isoformat()}"',  # asOf's default is today
    "/state/russia": lambda day: f"to {day.year}.",  # its position strip runs to this year
}


@pytest.fixture()
def calendar(monkeypatch):
    """The day the app lives in, moved by setting ``calendar.day``."""

    class Calendar:
        day = NEW_YEARS_EVE

    monkeypatch.setattr(clock, "utc_today", lambda: Calendar.day)
    return Calendar


@pytest.mark.parametrize("path", OF_TODAY)
def test_an_answer_of_today_is_kept_and_tagged_for_the_day_only(counted, calendar, path):
    client, reached = counted
    said = OF_TODAY[path]
    eve = client.get(path)
    assert eve.status_code == 200 and said(NEW_YEARS_EVE) in eve.get_data(as_text=True)
    assert client.get(path).headers["ETag"] == eve.headers["ETag"] and len(reached) == 1  # the same day: kept
    assert client.get(path, headers={"If-None-Match": eve.headers["ETag"]}).status_code == 304

    calendar.day = NEW_YEAR
    stale = client.get(path, headers={"If-None-Match": eve.headers["ETag"]})
    assert stale.status_code == 200 and len(reached) == 2  # made again, for the new day
    assert stale.headers["ETag"] != eve.headers["ETag"]
    assert said(NEW_YEAR) in stale.get_data(as_text=True) and said(NEW_YEARS_EVE) not in stale.get_data(as_text=True)
    assert client.get(path).data == stale.data and len(reached) == 2  # kept for the new day
    revalidated = client.get(path, headers={"If-None-Match": stale.headers["ETag"]})
    assert revalidated.status_code == 304 and revalidated.headers["ETag"] == stale.headers["ETag"]


@pytest.mark.parametrize("path", [
    "/questions/recognitions-as-of?asOf=2020-06-30",  # a date given: the same answer every day
    "/questions/recognising-states",
    "/state/russia.ttl",  # the resource's RDF: its page alone draws the strip
])
def test_an_answer_that_reads_no_date_keeps_its_tag_from_day_to_day(counted, calendar, path):
    client, reached = counted
    eve = client.get(path)
    assert eve.status_code == 200
    calendar.day = NEW_YEAR
    assert client.get(path, headers={"If-None-Match": eve.headers["ETag"]}).status_code == 304
    assert client.get(path).headers["ETag"] == eve.headers["ETag"] and len(reached) == 1
