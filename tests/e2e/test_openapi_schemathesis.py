"""Schemathesis against a real server: every operation of ``/openapi.json``, generated requests, each answer checked.

The description is loaded from a live ``kosru-kg serve`` process on loopback. For each operation
(a question's page, and its answer in each format), schemathesis generates requests with values
the description allows (positive) and values it forbids (negative). Every answer must be no 5xx
and have a status, media type, headers and body the description allows; a negative request must
be refused with a 4xx. Bounded: ``EXAMPLES`` requests per operation and mode. With the environment
variable CI set, examples are derandomized and no example database is kept, so CI sends the same
requests every time. (schemathesis' own pytest loader, ``from_fixture``, fails on pytest 9, so
each operation's strategy is driven by Hypothesis here.)
"""

from __future__ import annotations

import os

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kosru_kg.config import Settings
from kosru_kg.service import questions

CI = bool(os.environ.get("CI"))
EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
# The operations the repository's questions make: each page, and each answer format.
CANNED = questions.load(Settings().queries_dir, Settings().base_iri)
PATHS = {f"/questions/{name}{suffix}": question for name, question in CANNED.items()
         for suffix in ("", *(f".{f.name}" for f in questions.ANSWER_FORMATS))}
# Negative requests need a parameter to spoil: an operation without one has none to send.
CASES = [pytest.param(path, mode, id=f"{path}-{mode.value}") for path, question in PATHS.items()
         for mode in GenerationMode if mode is GenerationMode.POSITIVE or question.params]


@pytest.fixture(scope="module")
def api(live_server):
    assert live_server.url.startswith("http://127.0.0.1:")  # loopback only
    return schemathesis.openapi.from_url(live_server("openapi.json"), timeout=30)


@pytest.fixture(scope="module")
def session():
    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment: the requests stay on loopback
        yield session


def test_the_description_has_every_operation(api):
    assert sorted(f"{op.ok().method.upper()} {op.ok().path}" for op in api.get_all_operations()) == sorted(
        f"GET {path}" for path in PATHS)


@pytest.mark.parametrize(("path", "mode"), CASES)
def test_every_answer_matches_the_description(api, live_server, session, path, mode):
    operation = api[path]["GET"]
    checks = CHECKS + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=CI, **({"database": None} if CI else {}),
              suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate(base_url=live_server.url.rstrip("/"), session=session, checks=checks, timeout=30)

    check()
