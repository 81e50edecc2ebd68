"""A version's expensive answers, computed before the first visitor asks for them.

The dumps, the JSON-LD context, the pictures (timeline and chart, drawn into their pages),
the question pages (the roster's under each viewpoint, whose count checks then serve any date), the descriptions and the search index (of a version published without one) are made once, when the server starts and before it
forks its workers, which inherit them; the visitor who comes first waits for nothing.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from flask import Flask

from kosru_kg import formats
from kosru_kg.service import roster
from kosru_kg.web import i18n
from kosru_kg.web.middleware import limits
from kosru_kg.web.state import KEY

log = logging.getLogger("kosru_kg")
DESCRIPTIONS = ("/", "/timeline", "/questions", "/ontology", "/context.jsonld", "/.well-known/void",
                "/.well-known/dcat", "/sparql",
                "/search?q=kosovo")  # opens the search index, made now if the served version has none
PICTURED = ("/", "/timeline")


def paths(app: Flask) -> list[str]:
    app_state = app.extensions[KEY]
    settings = app_state.settings
    questions = [f"/questions/{path.stem}" for path in sorted(settings.queries_dir.glob("*.rq"))]
    # The roster's count checks under every viewpoint (computed once each, for any date's page).
    questions += [f"/questions/{roster.QUESTION}?viewpoint={viewpoint}" for viewpoint in roster.VIEWPOINTS
                  if viewpoint != roster.TODAY["viewpoint"]]
    dumps = [f"/download/{fmt.file_name}" for fmt in formats.DUMPS]
    # The served version's own dumps, read from its archive.
    version = app_state.backend.version
    if app_state.versions.find(version) is not None:
        dumps += [f"/download/{version}/{fmt.file_name}" for fmt in formats.DUMPS]
    return [*DESCRIPTIONS, "/versions", *dumps, *questions]


def requests(app: Flask) -> list[tuple[str, str]]:
    """(path, language) of every request warming makes: ``paths`` in English, and the pages with
    pictures in the other languages too (the pictures' titles, legends and dates are translated)."""
    localised = [(path, tag) for tag in i18n.LOCALES if tag != i18n.DEFAULT for path in PICTURED]
    return [*((path, i18n.DEFAULT) for path in paths(app)), *localised]


def warm(app: Flask, progress: Callable[[str], None] = lambda detail: None) -> None:
    """Make every request of ``requests``, telling ``progress`` of each; one that fails is logged and left
    for its first visitor. Each answer is read to its end, so none is logged as a client gone.

    One request per core at a time: queries run outside Python's lock, so on two cores warming takes
    about half as long (measured: 5.2 s in one thread, 2.3 s in two)."""
    made = requests(app)
    counter = itertools.count(1)

    def make(request: tuple[str, str]) -> None:
        path, tag = request
        progress(f"{next(counter)}/{len(made)} {path} ({tag})")
        response = app.test_client().get(path, headers={"Accept-Language": tag},
                                         environ_base={limits.SERVER_WORK: True})  # nobody's budget
        response.get_data()
        response.close()
        if response.status_code != 200:
            log.warning("warming %s (%s): answered %s; it will be computed on its first request", path, tag,
                        response.status_code)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="kosru-warm") as pool:
        list(pool.map(make, made))
    app.extensions[KEY].backend.close()  # its query processes are this process's, not the workers'
