"""Human labels and one-line summaries of facts, made from their data, in every language of the site.

A fact row (a recognition claim, a statement, a veto…) has no name of its own, yet it is
linked from tables, pages and search results: without a label a reader sees a bare id
such as ``statement/churkin-2007-07``. The mapping writes what this module makes as the
fact's ``rdfs:label`` and ``schema:disambiguatingDescription``, once per language. Each roster
state also gets a summary of its position on Kosovo over time, built from its claims.

The sentence frames are the interface's gettext messages (``kosru_kg.catalogs``: translators
see them beside the pages' text); the names inside them are the data's labels in that language
(CLDR's names of states, the catalogs' names of the project's concepts), English where the data
has none; dates are written as CLDR writes them in that language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from babel.dates import format_date, format_skeleton
from babel.lists import format_list

from kosru_kg import catalogs
from kosru_kg.catalogs import N_
from kosru_kg.graph.facts import Date, Facts, Record, Ref

LANGUAGES = tuple(catalogs.LOCALES)  # English first: the language every resource has a label in


class Words:
    """One language's way of writing facts: frames from its catalog, names in it, dates as its CLDR data has them."""

    def __init__(self, facts: Facts, language: str):
        self.facts, self.language, self.locale = facts, language, catalogs.LOCALES[language]
        translations = catalogs.translations(language)
        self._gettext, self._translated = translations.gettext, getattr(translations, "_catalog", {})
        self._labels = {r.get("entity").ident: r.get("label") for r in facts.records("labels")
                        if r.get("language") == language}
        self.borrowed = False  # whether a name was taken in English for want of one in this language

    def __call__(self, frame: str, **values: str) -> str:
        """``frame`` translated, its placeholders filled; an empty value leaves no double space behind."""
        return tidy(self._gettext(frame) % values if values else self._gettext(frame))

    def translated(self, text: str) -> str | None:
        """``text`` (a name of the project's vocabulary) in this language, or None where the catalog lacks it."""
        return text if self.language == "en" else self._gettext(text) if text in self._translated else None

    def name(self, value) -> str:
        """The name of a referenced row in this language: its label there, else its English label."""
        if not isinstance(value, Ref):
            return str(value)
        record = self.facts.lookup(value)
        english = record.get("label")
        known = english in self._translated if record.table == "concepts" else record.id in self._labels
        self.borrowed |= not known and self.language != "en"
        return self._gettext(english) if record.table == "concepts" else self._labels.get(record.id, english)

    def names(self, values: Iterable) -> str:
        """Several references as a list in this language: "A", "A and B", "A, B and C"."""
        items = [self.name(v) for v in values]
        return items[0] if len(items) == 1 else format_list(items, locale=self.locale)

    def date(self, date: Date) -> str:
        """A date of any precision, as people write it here: "17 February 2008", "February 2008", "2008"."""
        parts = date.text.split("-")
        if date.precision == "year":
            return parts[0]
        day = dt.date(int(parts[0]), int(parts[1]), int(parts[2]) if date.precision == "day" else 1)
        if date.precision == "month":
            return format_skeleton("yMMMM", day, locale=self.locale)
        return format_date(day, format="long", locale=self.locale)

    def when(self, date: Date | None, on: str, in_: str | None = None) -> str:
        """A date as a phrase of this language, ``on`` for a day, ``in_`` (if other) for a month or a year; "" if undated."""
        if date is None:
            return ""
        return self(on if date.precision == "day" or in_ is None else in_, date=self.date(date))

    def on(self, date: Date | None) -> str:
        return self.when(date, N_("on %(date)s"), N_("in %(date)s"))


def tidy(text: str) -> str:
    """A sentence whose empty parts left gaps closed: no empty brackets, no double spaces, no space before
    punctuation, and one full stop where a date that ends in one ("2012.", "2008 г.") ends the sentence."""
    text = re.sub(r"\s+([.,;)])", r"\1", re.sub(r"\s{2,}", " ", re.sub(r"\(\s*\)", "", text))).strip()
    return re.sub(r"(?<!\.)\.\.(?!\.)", ".", text)


def _position(w: Words, r: Record) -> tuple[str, str]:
    state, subject = w.name(r.get("state")), w.name(r.get("recognition_of"))  # whose recognition: Kosovo
    claimant = w.name(r.get("by")) if r.get("by") else ""
    date = r.get("date")
    position = r.get("position").ident
    if position == "recognised":
        summary = w("%(state)s recognised %(subject)s %(when)s.", state=state, subject=subject,
                    when=w.on(date) or w("(no date found)"))
    elif position == "withdrawal-reported" and claimant:
        summary = w("%(claimant)s reported %(when)s that %(state)s withdrew its recognition of %(subject)s.",
                    claimant=claimant, state=state, subject=subject, when=w.on(date))
    elif position == "withdrawal-reported":
        summary = w("A withdrawal of %(state)s's recognition of %(subject)s was reported %(when)s.",
                    state=state, subject=subject, when=w.on(date))
    elif position == "withdrawal-denied" and claimant:
        summary = w("%(claimant)s denied %(when)s that %(state)s withdrew its recognition of %(subject)s.",
                    claimant=claimant, state=state, subject=subject, when=w.on(date))
    elif position == "withdrawal-denied":
        summary = w("It was denied %(when)s that %(state)s withdrew its recognition of %(subject)s.",
                    state=state, subject=subject, when=w.on(date))
    elif position == "reaffirmed":
        summary = w("%(claimant)s re-affirmed %(when)s that %(state)s recognises %(subject)s.",
                    claimant=claimant or state, state=state, subject=subject, when=w.on(date))
    elif position == "does-not-recognise":
        summary = w("%(state)s did not recognise %(subject)s %(when)s.", state=state, subject=subject,
                    when=w.when(date, N_("as of %(date)s")))
    else:
        summary = w("No position of %(state)s on recognising %(subject)s was found in the sources searched.",
                    state=state, subject=subject)
    label = w("%(state)s: %(position)s", state=state, position=w.name(r.get("position")))
    if claimant and claimant != state:
        label = w("%(label)s (according to %(claimant)s)", label=label, claimant=claimant)
    if date:
        label = w("%(label)s, %(date)s", label=label, date=w.date(date))
    return label, summary


def _statement(w: Words, r: Record) -> tuple[str, str]:
    speaker = w.name(r.get("speaker"))
    label = w("Statement by %(speaker)s", speaker=speaker)  # its date is beside it wherever statements are listed
    role = w("(%(role)s)", role=w.name(r.get("speaker_role"))) if r.get("speaker_role") else ""
    medium = w("in %(medium)s", medium=w.name(r.get("medium"))) if r.get("medium") else ""
    about = w("about %(topics)s", topics=w.names(r.get("about"))) if r.get("about") else ""
    return label, w("%(speaker)s %(role)s spoke %(medium)s %(when)s %(about)s.", speaker=speaker, role=role,
                    medium=medium, when=w.on(r.get("date")), about=about)


def _stance(w: Words, r: Record) -> tuple[str, str]:
    holder, position, subject = w.name(r.get("holder")), w.name(r.get("position")), w.name(r.get("subject"))
    since = w.when(r.get("start"), N_("since %(date)s"))
    reasons = w("(reasons: %(reasons)s)", reasons=w.names(r.get("reasons"))) if r.get("reasons") else ""
    return (w("%(holder)s: %(position)s %(subject)s", holder=holder, position=position, subject=subject),
            w("%(holder)s %(position)s %(subject)s %(since)s %(reasons)s.", holder=holder, position=position,
              subject=subject, since=since, reasons=reasons))


# A veto's mode as its label says it ("Russia: veto threatened in …"), and as its summary's verb.
VETO_MODES = {"cast": (N_("veto cast"), N_("%(actors)s cast a veto in %(body)s %(against)s %(when)s.")),
              "threatened": (N_("veto threatened"), N_("%(actors)s threatened a veto in %(body)s %(against)s %(when)s.")),
              "power-invoked": (N_("veto power invoked"),
                                N_("%(actors)s invoked its veto power in %(body)s %(against)s %(when)s."))}


def _veto(w: Words, r: Record) -> tuple[str, str]:
    actors, body = w.names(r.get("actor")), w.name(r.get("body"))
    mode, sentence = VETO_MODES[r.get("mode").ident]
    against = w("against %(matter)s", matter=w.name(r.get("against"))) if r.get("against") else ""
    label = w("%(actors)s: %(mode)s in %(body)s", actors=actors, mode=w(mode), body=body)
    if r.get("date"):  # Russia threatened vetoes in the same body more than once: the date tells them apart
        label = w("%(label)s, %(date)s", label=label, date=w.date(r.get("date")))
    elif against:
        label = w("%(label)s, %(against)s", label=label, against=against)
    return label, w(sentence, actors=actors, body=body, against=against, when=w.on(r.get("date")))


def _result(w: Words, r: Record) -> tuple[str, str]:
    competitor, event = w.name(r.get("competitor")), w.name(r.get("event"))
    medal = w.name(r.get("medal")) if r.get("medal") else ""
    label = w("%(competitor)s at %(event)s", competitor=competitor, event=event)
    if medal:
        label = w("%(label)s: %(medal)s", label=label, medal=medal)
    represents = w("representing %(team)s", team=w.name(r.get("represents"))) if r.get("represents") else ""
    flag = w("under the flag of %(flag)s", flag=w.name(r.get("flag"))) if r.get("flag") else ""
    won = w("won a %(medal)s", medal=medal) if medal else w("competed")
    category = w("(%(category)s)", category=r.get("category")) if r.get("category") else ""
    final = (w("against %(opponent)s in the final", opponent=w.name(r.get("final_opponent")))
             if r.get("final_opponent") else "")
    return label, w("%(competitor)s %(represents)s %(flag)s %(won)s %(category)s at %(event)s %(final)s.",
                    competitor=competitor, represents=represents, flag=flag, won=won, category=category,
                    event=event, final=final)


def _count(w: Words, r: Record) -> tuple[str, str]:
    measure = w.name(r.get("measure"))
    qualifier = "" if r.get("qualifier").ident == "exact" else w.name(r.get("qualifier"))
    value = w("%(qualifier)s %(value)s", qualifier=qualifier, value=str(r.get("value")))
    scope = w("among members of %(scope)s", scope=w.name(r.get("scope"))) if r.get("scope") else ""
    out_of = w("(out of %(total)s)", total=str(r.get("out_of"))) if r.get("out_of") else ""
    as_of = w.when(r.get("as_of"), N_("as of %(date)s"))
    according = w("(according to %(claimant)s)", claimant=w.name(r.get("claimed_by"))) if r.get("claimed_by") else ""
    label = w("%(value)s %(measure)s %(scope)s %(as_of)s %(according)s", value=value, measure=measure, scope=scope,
              as_of=as_of or w("(undated)"), according=according)
    claimant = w.name(r.get("claimed_by")) if r.get("claimed_by") else w("The source")
    return label, w("%(claimant)s counted %(value)s %(measure)s %(scope)s %(out_of)s %(as_of)s.", claimant=claimant,
                    value=value, measure=measure, scope=scope, out_of=out_of, as_of=as_of)


def _match(w: Words, r: Record) -> tuple[str, str]:
    home, away = w.name(r.get("home")), w.name(r.get("away"))
    score = f"{r.get('home_score')}–{r.get('away_score')}" if r.get("home_score") is not None else "v"
    venue = w("at %(venue)s", venue=w.name(r.get("venue"))) if r.get("venue") else ""
    status = "" if r.get("status").ident == "played" else w("(%(status)s)", status=w.name(r.get("status")))
    label = w("%(home)s v %(away)s", home=home, away=away)
    if r.get("date"):
        label = w("%(label)s, %(date)s", label=label, date=w.date(r.get("date")))
    return label, w("%(home)s %(score)s %(away)s %(venue)s %(when)s %(status)s.", home=home, score=score,
                    away=away, venue=venue, when=w.on(r.get("date")), status=status)


def _membership(w: Words, r: Record) -> tuple[str, str]:
    member, organization = w.name(r.get("member")), w.name(r.get("organization"))
    status = w.name(r.get("status"))
    veto = w("with veto power") if r.get("veto_power") else ""
    return (w("%(member)s: %(status)s of %(organization)s", member=member, status=status, organization=organization),
            w("%(member)s is a %(status)s of %(organization)s %(since)s %(veto)s.", member=member, status=status,
              organization=organization, since=w.when(r.get("since"), N_("since %(date)s")),
              veto=veto))


def _role(w: Words, r: Record) -> tuple[str, str]:
    person, role = w.name(r.get("person")), w.name(r.get("role"))
    behalf = w("of %(party)s", party=w.name(r.get("on_behalf_of"))) if r.get("on_behalf_of") else ""
    posted = w("to %(place)s", place=w.name(r.get("posted_to"))) if r.get("posted_to") else ""
    start = w.when(r.get("start"), N_("from %(date)s"))
    end = w.when(r.get("end"), N_("until %(date)s"))
    label = w("%(person)s, %(role)s %(behalf)s %(posted)s", person=person, role=role, behalf=behalf, posted=posted)
    return label, w("%(person)s served as %(role)s %(behalf)s %(posted)s %(start)s %(end)s.", person=person,
                    role=role, behalf=behalf, posted=posted, start=start, end=end)


def _relation(w: Words, r: Record) -> tuple[str, str]:
    parties, status = w.names(r.get("parties")), w.name(r.get("status"))
    return (w("Relations between %(parties)s: %(status)s", parties=parties, status=status),
            w("Relations between %(parties)s were %(status)s %(start)s.", parties=parties, status=status,
              start=w.when(r.get("start"), N_("from %(date)s"))))


DESCRIBERS = {
    "positions": _position, "statements": _statement, "stances": _stance, "vetoes": _veto,
    "results": _result, "counts": _count, "matches": _match, "memberships": _membership,
    "roles": _role, "relations": _relation,
}


def describe(words: Words, record: Record) -> tuple[str, str] | None:
    """The (label, summary) of a fact record in ``words``' language; None for tables whose rows name themselves,
    and in a language the data has no name in for something the fact names (a text tagged as Russian must not
    hold an English name: the reader gets the English text, tagged as such)."""
    describer = DESCRIBERS.get(record.table)
    if describer is None:
        return None
    words.borrowed = False
    described = describer(words, record)
    return None if words.borrowed else described


PRECISION_RANK = {"day": 0, "month": 1, "year": 2}


def position_summary(w: Words, claims: Iterable[Record]) -> str | None:
    """One state's position over time, a phrase per kind of claim and claimant, in date order.

    For example: "Recognised Kosovo on 16 October 2012; Serbia reported a withdrawal on
    15 February 2018". Of several dates for the same claim, the most precise is shown (the
    claims themselves keep every date with its source). None where a name is wanting in ``w``'s language.
    """
    w.borrowed = False
    groups: dict[tuple[str, str, str], list[Record]] = {}
    for claim in claims:
        by = w.name(claim.get("by")) if claim.get("by") else ""
        subject = w.name(claim.get("recognition_of"))  # whose recognition: Kosovo in this data set
        groups.setdefault((subject, claim.get("position").ident, by), []).append(claim)
    subjects = sorted({s for s, _, _ in groups})
    for subject in subjects:
        if any(s == subject and p == "withdrawal-reported" and by for s, p, by in groups):
            groups.pop((subject, "withdrawal-reported", ""), None)  # an unattributed report of the same withdrawal
    phrases = []
    for (subject, position, by), records in groups.items():
        deniers = sorted(b for (s, p, b) in groups if s == subject and p == "withdrawal-denied" and b)
        dated = [r.get("date") for r in records if r.get("date")]
        date = min(dated, key=lambda d: (PRECISION_RANK[d.precision], d.text)) if dated else None
        phrase = _phrase(w, subject, position, by, date, deniers)
        if phrase:
            phrases.append((date.text if date else "9999", phrase))
    if phrases:
        text = tidy("; ".join(phrase for _, phrase in sorted(phrases)) + ".")
        text = text[0].upper() + text[1:]
    else:
        text = w("No position on recognising %(subjects)s was found in the sources searched.", subjects=w.names(subjects))
    return None if w.borrowed else text


def _phrase(w: Words, subject: str, position: str, by: str, date: Date | None, deniers: list[str]) -> str:
    if position == "recognised":
        return w("recognised %(subject)s %(when)s", subject=subject, when=w.on(date) or w("(date not found)"))
    if position == "withdrawal-reported":
        denied = [d for d in deniers if d != by]
        if by:
            phrase = w("%(claimant)s reported a withdrawal %(when)s", claimant=by, when=w.on(date))
        else:
            phrase = w("a withdrawal was reported %(when)s", when=w.on(date))
        if denied:
            deny = N_("%(phrase)s, which %(deniers)s deny") if len(denied) > 1 else N_("%(phrase)s, which %(deniers)s denies")
            phrase = w(deny, phrase=phrase, deniers=w.names(denied))
        return phrase
    if position == "reaffirmed":
        return w("recognition re-affirmed %(by)s %(when)s", by=w("by %(claimant)s", claimant=by) if by else "",
                 when=w.on(date))
    if position == "does-not-recognise":
        return w("did not recognise %(subject)s %(when)s", subject=subject,
                 when=w.when(date, N_("as of %(date)s")))
    return ""
