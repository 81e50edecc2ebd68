"""Raw HTTP for the fuzz tests: any bytes anywhere in a request, and the property every answer must have.

http.client and urllib refuse to send what a fuzzer must send (non-ASCII bytes in the request
line or a header, garbage methods), so requests are written to a socket as bytes. Answers are
read until the server closes the connection, then parsed by http.client, which checks the
status line, the headers and the body's framing (Content-Length or chunks).
"""

from __future__ import annotations

import http.client
import io
import re
import socket
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import kosru_kg

ANSWER_TIMEOUT = 30  # seconds for a whole answer; the server's query deadline is far shorter
# The server refuses over-long request lines. Far longer ones are pointless, and flaky: the
# server may reset the connection, losing its refusal, before the client has sent them.
LONGEST_TARGET = 8192
# The statuses of the answers this session, by kind of request: the run must send at least 10,000.
STATUSES: defaultdict[str, Counter] = defaultdict(Counter)

# Signs of an internal error leaking out: a traceback, or a path inside the code.
TRACEBACK = b"Traceback (most recent call last)"
INTERNAL_PATHS = (str(Path(kosru_kg.__file__).resolve().parent).encode(), b"site-packages")
# A deliberate 503 says when to come back or names the time limit it ran into.
TIME_LIMIT = re.compile(rb"time limit|deadline|timed out|\d+(?:\.\d+)? ?s(?:econds?)?\b", re.IGNORECASE)


@dataclass
class RawRequest:
    """One HTTP request as bytes. Host, Content-Length and Connection: close are added unless told not to."""

    method: bytes = b"GET"
    target: bytes = b"/"
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""
    version: bytes = b"HTTP/1.1"
    content_length: bool = True  # False: send no Content-Length (a body then reads as the next request)

    def __repr__(self) -> str:
        """Short enough for a failure message: long targets and bodies are cut."""
        def cut(data: bytes) -> str:
            return repr(data[:300]) + (f" ... ({len(data)} bytes)" if len(data) > 300 else "")

        return (f"RawRequest({self.method!r} {cut(self.target)} {self.version!r}, headers={self.headers!r}, "
                f"body={cut(self.body)}, content_length={self.content_length})")

    def encode(self, host: bytes) -> bytes:
        names = {name.lower() for name, _ in self.headers}
        headers = list(self.headers)
        if b"host" not in names:
            headers.insert(0, (b"Host", host))
        if self.content_length and b"content-length" not in names and (self.body or self.method == b"POST"):
            headers.append((b"Content-Length", str(len(self.body)).encode()))
        headers.append((b"Connection", b"close"))
        head = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
        return self.method + b" " + self.target + b" " + self.version + b"\r\n" + head + b"\r\n" + self.body


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def __str__(self) -> str:
        return f"{self.status}\n{self.headers}{self.body[:2000]!r}"


class _Wire(io.BytesIO):
    """The bytes the server sent, read by http.client; stays readable after it is done, to find trailing bytes."""

    def close(self) -> None:
        pass


class _Recorded:
    """Enough of a socket for http.client.HTTPResponse: it only calls makefile."""

    def __init__(self, data: bytes):
        self.wire = _Wire(data)

    def makefile(self, mode: str) -> _Wire:
        return self.wire


def exchange(address: tuple[str, int], request: RawRequest, counter: str) -> Answer:
    """Send ``request`` on a new connection and read the whole answer, which must be well-formed HTTP."""
    try:
        with socket.create_connection(address, timeout=ANSWER_TIMEOUT) as connection:
            try:
                # The sending side stays open, since the server reads a closed one as a hang-up: a
                # request whose framing promises more than it sends meets the server's body deadline.
                connection.sendall(request.encode(f"{address[0]}:{address[1]}".encode()))
            except OSError:
                pass  # the server answered and closed before reading all of a request too large: read the answer
            received = bytearray()
            while not _whole_timeout_answer(received, request.method == b"HEAD") and (chunk := connection.recv(65536)):
                received += chunk
    except OSError as exc:  # a timeout is a hang; a reset, a crash
        raise AssertionError(f"no answer ({exc!r}) to {request!r}") from None
    names = {name.lower() for name, _ in request.headers}
    if not received and request.content_length and b"transfer-encoding" in names:
        # Framed two ways (RFC 9112 §6.3): Granian closes the connection rather than guess which
        # framing holds. Status 0 records "closed without an answer".
        return Answer(0, http.client.HTTPMessage(), b"")
    recorded = _Recorded(bytes(received))
    response = http.client.HTTPResponse(recorded, method=request.method.decode("latin-1"))
    try:
        response.begin()
        body = response.read()
    except (http.client.HTTPException, ValueError) as exc:
        raise AssertionError(f"malformed answer ({exc!r}) to {request!r}: {bytes(received[:2000])!r}") from None
    trailing = recorded.wire.read()
    # A HEAD answer's body is unread by http.client. A bare LF ends a header line for the
    # server, so a request holding one can leave bytes that it answers as a second, bad request.
    assert not trailing or request.method == b"HEAD" or trailing.startswith(b"HTTP/1.1 400 "), \
        f"{len(trailing)} bytes after the answer's end to {request!r}: {trailing[:200]!r}"
    STATUSES[counter][response.status] += 1
    return Answer(response.status, response.headers, body)


def _whole_timeout_answer(received: bytearray, head_only: bool) -> bool:
    """A whole 408: the server answers a body that never arrives at its deadline, and keeps the
    connection until the client closes it (Granian holds it while the app's reader waits). The answer
    to a HEAD request ends with its head: its Content-Length tells the size of a body never sent."""
    head, blank, body = bytes(received).partition(b"\r\n\r\n")
    if not blank or not head.startswith(b"HTTP/1.1 408 "):
        return False
    if head_only:
        return True
    length = re.search(rb"\r\ncontent-length: *(\d+)", head, re.IGNORECASE)
    return bool(length) and len(body) >= int(length.group(1))


def assert_handled(answer: Answer, request: RawRequest) -> None:
    """The property: no 5xx but a deliberate one, and nothing internal in the body."""
    assert answer.status < 500 or _deliberate(answer, request), f"{request!r} got\n{answer}"
    assert TRACEBACK not in answer.body, f"{request!r} got a traceback\n{answer}"
    for path in INTERNAL_PATHS:
        assert path not in answer.body, f"{request!r} got an internal path {path!r}\n{answer}"


def _deliberate(answer: Answer, request: RawRequest) -> bool:
    """A 503 that says why (a query deadline, a full server), or the HTTP server's 501 for a transfer coding it does not know.

    RFC 9112 §6.1 asks for that 501: the request is well-formed, the server lacks the feature.
    """
    if answer.status == 501:
        return any(name.lower() == b"transfer-encoding" for name, _ in request.headers)
    return answer.status == 503 and ("Retry-After" in answer.headers or bool(TIME_LIMIT.search(answer.body)))
