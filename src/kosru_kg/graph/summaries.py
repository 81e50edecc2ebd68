"""Human labels and one-line summaries of facts, made from their data.

A fact row (a recognition claim, a statement, a veto…) has no name of its own, yet it is
linked from tables, pages and search results: without a label a reader sees a bare id
such as ``statement/churkin-2007-07``. The mapping writes what this module makes as the
fact's ``rdfs:label`` and ``schema:disambiguatingDescription`` (English: the sentence
frames are English, the names inside them are the data's own labels). Each roster state
also gets a summary of its position on Kosovo over time, built from its claims.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable

from kosru_kg.graph.facts import Date, Facts, Record, Ref


def name(facts: Facts, value) -> str:
    """The label of a referenced row (entity, event, role or concept)."""
    if isinstance(value, Ref):
        return facts.lookup(value).get("label")
    return str(value)


def names(facts: Facts, values: Iterable) -> str:
    """Several references as English prose: "A", "A and B", "A, B and C"."""
    items = [name(facts, v) for v in values]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def when(date: Date | None, on: str = "on", in_: str = "in") -> str:
    """A date as a phrase: "on 17 February 2008", "in February 2008", "in 2008"; "" if undated."""
    if date is None:
        return ""
    parts = date.text.split("-")
    if date.precision == "year":
        return f"{in_} {parts[0]}"
    month = calendar.month_name[int(parts[1])]
    if date.precision == "month":
        return f"{in_} {month} {parts[0]}"
    return f"{on} {int(parts[2])} {month} {parts[0]}"


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _position(facts: Facts, r: Record) -> tuple[str, str]:
    state, by = name(facts, r.get("state")), r.get("by")
    subject = name(facts, r.get("recognition_of"))  # whose recognition the claim is about: Kosovo
    claimant = name(facts, by) if by else ""
    date = r.get("date")
    position = r.get("position").ident
    if position == "recognised":
        summary = _join(f"{state} recognised {subject}", when(date) or "(no date found)")
    elif position == "withdrawal-reported":
        summary = (_join(claimant, "reported", when(date), f"that {state} withdrew its recognition of {subject}")
                   if claimant else _join(f"A withdrawal of {state}'s recognition of {subject} was reported", when(date)))
    elif position == "withdrawal-denied":
        summary = _join(claimant or "It was", "denied", when(date), f"that {state} withdrew its recognition of {subject}")
    elif position == "reaffirmed":
        summary = _join(claimant or state, "re-affirmed", when(date), f"that {state} recognises {subject}")
    elif position == "does-not-recognise":
        summary = _join(f"{state} did not recognise {subject}", when(date, on="as of", in_="as of"))
    else:
        summary = f"No position of {state} on recognising {subject} was found in the sources searched"
    label = f"{state}: {name(facts, r.get('position'))}"
    if claimant and claimant != state:
        label += f" (according to {claimant})"
    if date:
        label += ", " + when(date, on="", in_="").strip()
    return label, summary + "."


def _statement(facts: Facts, r: Record) -> tuple[str, str]:
    speaker = name(facts, r.get("speaker"))
    date = r.get("date")
    label = f"Statement by {speaker}"  # its date is beside it wherever statements are listed
    role = f"({name(facts, r.get('speaker_role'))})" if r.get("speaker_role") else ""
    medium = f"in {name(facts, r.get('medium'))}" if r.get("medium") else ""
    about = f"about {names(facts, r.get('about'))}" if r.get("about") else ""
    return label, _join(speaker, role, "spoke", medium, when(date), about) + "."


def _stance(facts: Facts, r: Record) -> tuple[str, str]:
    holder, position = name(facts, r.get("holder")), name(facts, r.get("position"))
    subject = name(facts, r.get("subject"))
    since = when(r.get("start"), on="since", in_="since")
    reasons = f"(reasons: {names(facts, r.get('reasons'))})" if r.get("reasons") else ""
    return f"{holder}: {position} {subject}", _join(holder, position, subject, since, reasons) + "."


def _veto(facts: Facts, r: Record) -> tuple[str, str]:
    actors, body = names(facts, r.get("actor")), name(facts, r.get("body"))
    mode = r.get("mode").ident
    verb = {"cast": "cast a veto", "threatened": "threatened a veto"}.get(mode, "invoked its veto power")
    against = f"against {name(facts, r.get('against'))}" if r.get("against") else ""
    return f"{actors}: veto {name(facts, r.get('mode'))} in {body}", _join(actors, verb, "in", body, against, when(r.get("date"))) + "."


def _result(facts: Facts, r: Record) -> tuple[str, str]:
    competitor, event = name(facts, r.get("competitor")), name(facts, r.get("event"))
    medal = name(facts, r.get("medal")) if r.get("medal") else ""
    label = f"{competitor} at {event}" + (f": {medal}" if medal else "")
    represents = f"representing {name(facts, r.get('represents'))}" if r.get("represents") else ""
    flag = f"under the flag of {name(facts, r.get('flag'))}" if r.get("flag") else ""
    won = f"won a {medal}" if medal else "competed"
    category = f"({r.get('category')})" if r.get("category") else ""
    final = f"against {name(facts, r.get('final_opponent'))} in the final" if r.get("final_opponent") else ""
    return label, _join(competitor, represents, flag, won, category, "at", event, final) + "."


def _count(facts: Facts, r: Record) -> tuple[str, str]:
    measure = name(facts, r.get("measure"))
    qualifier = "" if r.get("qualifier").ident == "exact" else name(facts, r.get("qualifier"))
    value = _join(qualifier, str(r.get("value")))
    scope = f"among members of {name(facts, r.get('scope'))}" if r.get("scope") else ""
    out_of = f"(out of {r.get('out_of')})" if r.get("out_of") else ""
    as_of = when(r.get("as_of"), on="as of", in_="as of")
    claimant = name(facts, r.get("claimed_by")) if r.get("claimed_by") else "The source"
    according = f"(according to {claimant})" if r.get("claimed_by") else ""
    label = _join(value, measure, scope, as_of or "(undated)", according)
    return label, _join(claimant, "counted", value, measure, scope, out_of, as_of) + "."


def _match(facts: Facts, r: Record) -> tuple[str, str]:
    home, away = name(facts, r.get("home")), name(facts, r.get("away"))
    score = f"{r.get('home_score')}–{r.get('away_score')}" if r.get("home_score") is not None else "v"
    venue = f"at {name(facts, r.get('venue'))}" if r.get("venue") else ""
    status = "" if r.get("status").ident == "played" else f"({name(facts, r.get('status'))})"
    return r.get("label"), _join(home, score, away, venue, when(r.get("date")), status) + "."


def _membership(facts: Facts, r: Record) -> tuple[str, str]:
    member, organization = name(facts, r.get("member")), name(facts, r.get("organization"))
    status = name(facts, r.get("status"))
    veto = "with veto power" if r.get("veto_power") else ""
    return (f"{member}: {status} of {organization}",
            _join(member, "is a", status, "of", organization, when(r.get("since"), on="since", in_="since"), veto) + ".")


def _role(facts: Facts, r: Record) -> tuple[str, str]:
    person, role = name(facts, r.get("person")), name(facts, r.get("role"))
    for_ = f"of {name(facts, r.get('on_behalf_of'))}" if r.get("on_behalf_of") else ""
    posted = f"to {name(facts, r.get('posted_to'))}" if r.get("posted_to") else ""
    span = _join(when(r.get("start"), on="from", in_="from"), when(r.get("end"), on="until", in_="until"))
    return r.get("label"), _join(person, "served as", role, for_, posted, span) + "."


def _relation(facts: Facts, r: Record) -> tuple[str, str]:
    parties, status = names(facts, r.get("parties")), name(facts, r.get("status"))
    return (f"Relations between {parties}: {status}",
            _join("Relations between", parties, f"were {status}", when(r.get("start"), on="from", in_="from")) + ".")


DESCRIBERS = {
    "positions": _position, "statements": _statement, "stances": _stance, "vetoes": _veto,
    "results": _result, "counts": _count, "matches": _match, "memberships": _membership,
    "roles": _role, "relations": _relation,
}


def describe(facts: Facts, record: Record) -> tuple[str, str] | None:
    """The (label, summary) of a fact record, or None for tables whose rows name themselves."""
    describer = DESCRIBERS.get(record.table)
    return describer(facts, record) if describer else None


PRECISION_RANK = {"day": 0, "month": 1, "year": 2}


def position_summary(facts: Facts, claims: Iterable[Record]) -> str:
    """One state's position over time, a phrase per kind of claim and claimant, in date order.

    For example: "Recognised Kosovo on 16 October 2012; Serbia reported a withdrawal on
    15 February 2018". Of several dates for the same claim, the most precise is shown (the
    claims themselves keep every date with its source).
    """
    groups: dict[tuple[str, str, str], list[Record]] = {}
    for claim in claims:
        by = name(facts, claim.get("by")) if claim.get("by") else ""
        subject = name(facts, claim.get("recognition_of"))  # whose recognition: Kosovo in this data set
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
        phrase = _phrase(subject, position, by, date, deniers)
        if phrase:
            phrases.append((date.text if date else "9999", phrase))
    if not phrases:
        return f"No position on recognising {' or '.join(subjects)} was found in the sources searched."
    text = "; ".join(phrase for _, phrase in sorted(phrases))
    return text[0].upper() + text[1:] + "."


def _phrase(subject: str, position: str, by: str, date: Date | None, deniers: list[str]) -> str:
    if position == "recognised":
        return _join(f"recognised {subject}", when(date) or "(date not found)")
    if position == "withdrawal-reported":
        denied = [d for d in deniers if d != by]
        tail = f", which {' and '.join(denied)} {'deny' if len(denied) > 1 else 'denies'}" if denied else ""
        return _join(by, "reported a withdrawal" if by else "a withdrawal was reported", when(date)) + tail
    if position == "reaffirmed":
        return _join("recognition re-affirmed", f"by {by}" if by else "", when(date))
    if position == "does-not-recognise":
        return _join(f"did not recognise {subject}", when(date, on="as of", in_="as of"))
    return ""
