"""A query worker process: one published store open read-only, one query at a time.

pyoxigraph cannot interrupt a running query, so queries run here, in a process the server
kills when the deadline passes. It imports nothing of the web app, so it starts fast.

Its arguments: the file descriptor of its connection to the server, the store directory and
the address space it may use, in MiB (beyond it, an allocation fails and the process ends).
Messages to the server, over that connection:
``("ready",)`` once the store is open, then per query ``("taken",)`` as soon as the job has
arrived (the server's check that an idle worker is alive), then either the whole answer as
``("whole", form, media_type, bytes)`` when it is smaller than one chunk (most are: one message,
not three, for the server to wait for and unpickle), or ``("form", form, media_type)``,
``("chunk", bytes)``..., ``("end",)``; or at any point after ``("taken",)``
``("malformed", message)`` or ``("failed", message)``.
"""

from __future__ import annotations

import os
import resource
import select
import signal
import sys
import threading
from multiprocessing.connection import Connection

from pyoxigraph import QueryBoolean, QuerySolutions, Store

from kosru_kg import formats
from kosru_kg.formats import Kind
from kosru_kg.query.malformed import explain

CHUNK_BYTES = 64 * 1024
GRACE_SECONDS = 5  # past the deadline, the process ends itself should the server be gone


class ChunkWriter:
    """A binary file for pyoxigraph's serialisers that sends what it is given in chunks, after ``form``
    (the answer's form message); ``close`` sends an answer that never filled a chunk as one message."""

    def __init__(self, connection: Connection, form: tuple):
        self._connection, self._form = connection, form
        self._buffer = bytearray()

    def write(self, data) -> int:
        self._buffer += data
        if len(self._buffer) >= CHUNK_BYTES:
            self._send_chunk()
        return len(data)

    def _send_chunk(self) -> None:
        if self._form is not None:
            self._connection.send(self._form)
            self._form = None
        self._connection.send(("chunk", bytes(self._buffer)))
        self._buffer.clear()

    def flush(self) -> None:
        """pyoxigraph flushes when it is done; what is left is sent by ``close``, which knows if it was all."""

    def close(self) -> None:
        if self._form is not None:
            self._connection.send(("whole", *self._form[1:], bytes(self._buffer)))
            return
        if self._buffer:
            self._send_chunk()
        self._connection.send(("end",))


def answer(store: Store, job, seconds: float, connection: Connection) -> None:
    """Answer one job; an alarm (whose default action ends the process) bounds it even if the server dies."""
    signal.setitimer(signal.ITIMER_REAL, seconds + GRACE_SECONDS)
    try:
        kwargs = {"base_iri": job.base_iri, "substitutions": dict(job.substitutions) or None}
        if job.default_graph is not None:
            kwargs["default_graph"] = list(job.default_graph)
        if job.named_graphs is not None:
            kwargs["named_graphs"] = list(job.named_graphs)
        try:
            result = store.query(job.sparql, **kwargs)
        except SyntaxError as exc:  # said so that a person can fix it: an undeclared prefix is named
            connection.send(("malformed", explain(job.sparql, str(exc))))
            return
        kind = (Kind.BOOLEAN if isinstance(result, QueryBoolean)
                else Kind.SOLUTIONS if isinstance(result, QuerySolutions) else Kind.GRAPH)
        media_type = job.media_type or formats.PARSED[kind].media_type
        written = formats.BY_MEDIA_TYPE.get(media_type)
        if written is None or written.kind not in kind.carried_by:
            connection.send(("failed", f"a {kind.value} answer cannot be written as {media_type}"))
            return
        writer = ChunkWriter(connection, ("form", kind.value, media_type))
        result.serialize(writer, format=written.engine)
        writer.close()
    except (OSError, ValueError, RuntimeError) as exc:
        connection.send(("failed", str(exc)))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def end_when_the_server_goes(descriptor: int) -> None:
    """End this process as soon as the server's end of the connection closes, even mid-query.

    A server that dies (or is killed at shutdown) while a query runs would otherwise leave the
    query burning a CPU until its alarm, up to the deadline later. Only hang-up is watched,
    never input, so the main thread's reading of jobs is untouched; the engine releases the
    GIL while it evaluates, so this thread runs.
    """
    watcher = select.poll()
    watcher.register(descriptor, select.POLLRDHUP)
    watcher.poll()
    os._exit(0)


def main(argv: list[str]) -> None:
    connection = Connection(int(argv[1]))
    threading.Thread(target=end_when_the_server_goes, args=(connection.fileno(),), daemon=True).start()
    memory = int(argv[3]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        store = Store.read_only(argv[2])
    except OSError as exc:
        connection.send(("failed", f"cannot open the store: {exc}"))
        return
    connection.send(("ready",))
    while True:
        try:
            job, seconds = connection.recv()
        except (EOFError, OSError):
            return  # the server closed its end: nothing more to answer
        connection.send(("taken",))
        answer(store, job, seconds, connection)


if __name__ == "__main__":
    main(sys.argv)
