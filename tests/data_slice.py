"""A small, valid slice of ``data/``: a few entities, every fact about them alone, and what those facts cite.

For tests of what a build *does* (publishing, killing it, running two at once) rather than of the
graph it makes: a build of the slice (about 2,000 triples, most of them the ontology's and the
concepts') takes a few seconds where one of the whole data takes tens of them.

A fact is kept when every entity, event or role it refers to is kept; an entity is kept with the
entities it refers to (its country, what it is part of); sources are kept when a kept row cites them
(and the sources those are part of); concepts and the Wikidata reference are kept whole. Rows keep
their order, so the first row of each table that had one stays the first.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from kosru_kg.graph.facts import TABLES, Table, file_name

REFERENCES = ("ref", "refs")
KEPT_WHOLE = ("concepts", "wikidata")


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def cited(row: dict[str, str], column: str) -> list[str]:
    return [part.strip() for part in (row.get(column) or "").split(";") if part.strip()]


def references(table: Table, row: dict[str, str]) -> list[tuple[tuple[str, ...], str]]:
    """(the tables it may be in, the id) of every row that ``row`` refers to."""
    return [(field.targets, ident) for field in table.fields if field.kind in REFERENCES
            for ident in cited(row, field.name)]


def write_slice(data_dir: Path, target: Path, entities: tuple[str, ...]) -> Path:
    """Copy ``data_dir`` to ``target`` keeping only ``entities``, what they refer to, and the facts about them."""
    shutil.copytree(data_dir, target)
    tables = {table.name: (table, *read(target / file_name(table.name))) for table in TABLES}
    kept: dict[str, set[str]] = {name: set() for name in tables}
    kept["entities"] = set(entities)
    entity_table, _, entity_rows = tables["entities"]
    facts = [table for table in TABLES if table.name not in ("entities", "sources", *KEPT_WHOLE)
             and any(f.name == "id" for f in table.fields)]
    changed = True
    while changed:  # until nothing more is kept: entities refer to entities, events to events, statements to roles
        changed = False
        for row in entity_rows:
            if row["id"] in kept["entities"]:
                for _, ident in references(entity_table, row):
                    if ident not in kept["entities"]:
                        kept["entities"].add(ident)
                        changed = True
        for table in facts:
            for row in tables[table.name][2]:
                if row["id"] not in kept[table.name] and all(
                        any(ident in kept[name] for name in targets) for targets, ident in references(table, row)):
                    kept[table.name].add(row["id"])
                    changed = True
    labels = [row for row in tables["labels"][2] if row["entity"] in kept["entities"]]
    sources = {row["source"] for row in labels}
    for name in ("entities", *(table.name for table in facts)):
        sources.update(source for row in tables[name][2] if row["id"] in kept[name] for source in cited(row, "sources"))
    part_of = {row["id"]: row["part_of"] for row in tables["sources"][2]}
    todo = list(sources)
    while todo:
        parent = part_of[todo.pop()]
        if parent and parent not in sources:
            sources.add(parent)
            todo.append(parent)
    kept["sources"] = sources
    for name, (_, header, rows) in tables.items():
        if name in KEPT_WHOLE:
            continue
        rows = labels if name == "labels" else [row for row in rows if row["id"] in kept[name]]
        write(target / file_name(name), header, rows)
    return target
