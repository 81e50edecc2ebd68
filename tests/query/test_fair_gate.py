"""The query slots shared between clients (``fair_use.FairGate``), driven by real threads."""

from __future__ import annotations

import threading

import pytest

from kosru_kg.errors import Busy, TooManyRequests
from kosru_kg.query import fair_use
from kosru_kg.query.fair_use import FairGate, QueryTimeQuota

WAIT = 30.0  # the longest a test waits for a thread to reach a state (it returns as soon as it does)


def gate(slots=1, per_client=2, reserved=0, light_seconds=2.0, waiting_room=4, wait=WAIT) -> FairGate:
    return FairGate(QueryTimeQuota(60.0), slots, per_client=per_client, reserved=reserved,
                    light_seconds=light_seconds, waiting_room=waiting_room, wait=wait)


class Query(threading.Thread):
    """A query of ``client`` that takes a slot, says so, and holds it until ``finish`` is set."""

    def __init__(self, the_gate: FairGate, client: str | None, order: list):
        super().__init__(daemon=True)
        self.gate, self.client, self.order = the_gate, client, order
        self.started, self.finish = threading.Event(), threading.Event()
        self.error: Exception | None = None

    def run(self):
        token = fair_use.enter(self.client)
        try:
            with self.gate.slot():
                self.order.append(self.client)
                self.started.set()
                self.finish.wait(WAIT)
        except Exception as exc:  # noqa: BLE001 - kept for the test to assert
            self.error = exc
            self.started.set()
        finally:
            fair_use.leave(token)

    def done(self):
        self.finish.set()
        self.join(WAIT)


def start(the_gate, client, order) -> Query:
    query = Query(the_gate, client, order)
    query.start()
    return query


def test_a_client_runs_at_most_its_share_at_once():
    g, order = gate(slots=4, per_client=2), []
    running = [start(g, "192.0.2.1", order) for _ in range(2)]
    for query in running:
        assert query.started.wait(WAIT) and query.error is None
    third = start(g, "192.0.2.1", order)
    third.join(WAIT)
    assert isinstance(third.error, TooManyRequests) and "limit is 2 at once per client" in third.error.message
    other = start(g, "192.0.2.2", order)
    assert other.started.wait(WAIT) and other.error is None
    for query in (*running, other):
        query.done()


def test_a_free_slot_goes_to_the_client_that_used_least_query_time():
    g, order = gate(slots=1), []
    first = start(g, "192.0.2.1", order)  # 192.0.2.1 uses the slot now
    assert first.started.wait(WAIT)
    again = start(g, "192.0.2.1", order)  # arrives first, but its client is using a slot now
    assert g.until_waiting(1, WAIT)
    newcomer = start(g, "192.0.2.9", order)
    assert g.until_waiting(2, WAIT)
    first.done()
    assert newcomer.started.wait(WAIT)
    assert order == ["192.0.2.1", "192.0.2.9"]
    newcomer.done()
    assert again.started.wait(WAIT)
    assert order == ["192.0.2.1", "192.0.2.9", "192.0.2.1"]
    again.done()


def test_reserved_slots_go_only_to_light_clients():
    g, order = gate(slots=2, reserved=1, light_seconds=1e-9), []  # every query that ran makes its client heavy
    for heavy_client in ("198.51.100.1", "198.51.100.2"):
        start(g, heavy_client, []).done()
    heavy = start(g, "198.51.100.1", order)
    assert heavy.started.wait(WAIT)
    other_heavy = start(g, "198.51.100.2", order)  # one slot is free, but it is kept for light clients
    assert g.until_waiting(1, WAIT)
    light = start(g, "192.0.2.7", order)  # a new client is light
    assert light.started.wait(WAIT) and light.error is None
    assert not other_heavy.started.is_set()
    heavy.done()
    assert other_heavy.started.wait(WAIT)
    light.done()
    other_heavy.done()
    assert order == ["198.51.100.1", "192.0.2.7", "198.51.100.2"]


def test_a_full_waiting_room_turns_away_the_last_in_line_not_the_newcomer():
    g, order = gate(slots=1, waiting_room=1), []
    g.quota.charge("198.51.100.1", 5.0)
    holder = start(g, "198.51.100.1", order)
    assert holder.started.wait(WAIT)
    waiting = start(g, "198.51.100.1", order)  # its client is using the slot: last in line
    assert g.until_waiting(1, WAIT)
    fresh = start(g, "192.0.2.5", order)
    waiting.join(WAIT)
    assert isinstance(waiting.error, Busy)
    holder.done()
    assert fresh.started.wait(WAIT) and fresh.error is None
    fresh.done()


def test_a_query_that_waits_too_long_is_busy_and_no_slot_is_lost():
    g, order = gate(slots=1, wait=0.05), []
    holder = start(g, "192.0.2.1", order)
    assert holder.started.wait(WAIT)
    late = start(g, "192.0.2.2", order)
    late.join(WAIT)
    assert isinstance(late.error, Busy) and late.error.status == 503
    holder.done()
    after = start(g, "192.0.2.2", order)
    assert after.started.wait(WAIT) and after.error is None
    after.done()


@pytest.mark.parametrize("excused", [0.0, 3600.0])
def test_the_time_held_is_charged_less_what_the_server_excused(excused):
    g = gate()
    token = fair_use.enter("192.0.2.3")
    try:
        with g.slot() as held:
            held.excuse(excused)
    finally:
        fair_use.leave(token)
    spent = g.quota.spent("192.0.2.3")
    assert spent == 0.0 if excused else spent > 0.0


def test_a_handed_over_slot_is_released_when_its_stream_ends():
    g = gate(slots=1, wait=0.05)
    with g.slot() as held:
        chunks = held.hand_over(iter([b"a", b"b"]))
    assert next(chunks) == b"a"
    with pytest.raises(Busy), g.slot():  # still held by the stream
        pass
    assert list(chunks) == [b"b"]
    with g.slot():  # released
        pass
