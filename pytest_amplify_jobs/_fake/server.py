"""The fake service over real HTTP: a ``ThreadingHTTPServer`` on ``127.0.0.1`` answering from
the same :class:`~.state.Store` as the in-process fake, through the same :func:`~.wire.answer`.

For child processes (the ``aws`` CLI, shell scripts, other SDKs): they find it through
``AWS_ENDPOINT_URL_AMPLIFY``. Signatures are not checked; an operation the fake does not serve
is answered with a 400 naming the ones it does (it is never forwarded anywhere).

What a local endpoint in a test suite meets, and what it answers:

- only ``127.0.0.1`` listens, and every URL starts with a per-server secret
  (``http://127.0.0.1:<port>/<secret>``; botocore and the ``aws`` CLI keep an endpoint's path):
  a request without it is a 403 ``AccessDeniedException`` saying whose endpoint this is, never
  answered from the store, so two fakes of one process never answer each other's clients;
- a client's mistake is answered, never printed: a malformed request line or header flood gets
  the standard library's refusal (400, 414, 431, 505) as a JSON error body, bad JSON a 400
  ``BadRequestException``, a body without ``Content-Length`` a 411, a body over
  :data:`MAX_BODY_BYTES` a 413 sent before the body is read, a body that does not arrive whole
  within the read timeout a 408. A refused request never reaches the store;
- :meth:`FakeServer.close` cuts open connections, stops, joins every thread it started and
  frees the port within about a second. Exceptions of the fake itself (a 500) are kept in
  :attr:`FakeServer.errors`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hmac
import http
import http.server
import json
import math
import secrets
import socket
import threading
import time
import traceback
import urllib.parse
import uuid
from typing import Any

from pytest_amplify_jobs import _wire
from pytest_amplify_jobs._fake.files import LocalServer
from pytest_amplify_jobs._fake.state import Store
from pytest_amplify_jobs._fake.wire import FakeRequest, NotServed, answer
from pytest_amplify_jobs._text import short_repr

__all__ = ["MAX_BODY_BYTES", "READ_TIMEOUT", "FakeServer"]

MAX_BODY_BYTES = 6 * 2**20
"""The largest API request body answered (bytes); a larger ``Content-Length`` is a 413."""
READ_TIMEOUT = 30.0
"""Seconds a client may stall: per read of the request line and headers, for the whole body."""

_HOST = "127.0.0.1"
_LOCK_POLL = 0.05  # seconds between looks at "closing" while waiting for the store lock
_MAX_LINE = 65536  # the standard library's limit of a request or header line
_BODY_METHODS = ("POST", "PUT", "PATCH")


@dataclasses.dataclass(frozen=True)
class _Reply:
    status: int
    body: bytes
    headers: dict[str, str]
    close: bool = False


def _refusal(status: int, code: str, message: str, *, close: bool = False) -> _Reply:
    """An error answer shaped like the service's: a JSON ``message`` and ``x-amzn-errortype``
    (which botocore reads the error code from). It never touches a store."""
    body = _wire.error_body(message)
    now = dt.datetime.now(dt.timezone.utc)
    headers = _wire.headers(str(uuid.uuid4()), now, length=len(body), error_code=code, full=False)
    return _Reply(status, body, headers, close)


def _logged(path: str) -> str:
    """A path as the request log keeps it (as :func:`~.wire.answer` does): unquoted, no query."""
    return urllib.parse.unquote(path.partition("?")[0])


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as botocore's connection pool expects
    # A refusal of a request line without a version is still sent with a status line.
    default_request_version = "HTTP/1.0"

    def setup(self) -> None:
        super().setup()
        # Every read of the request line and headers: a client that stalls is dropped.
        self.connection.settimeout(self.server.read_timeout)
        # Headers and body leave in two writes: without this, Nagle's algorithm holds the body
        # until the client's delayed ACK (~40 ms a request on Linux).
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle_one_request(self) -> None:
        # The standard library's loop, except that every method reaches _handle: an operation
        # the fake does not serve (any method, any path) is the 400 naming those it does, not a
        # 501; and a stall before the request is whole drops the connection quietly.
        try:
            self.raw_requestline = self.rfile.readline(_MAX_LINE + 1)
            if len(self.raw_requestline) > _MAX_LINE:
                self.requestline, self.command = "", ""
                self.request_version = self.default_request_version
                self.send_error(http.HTTPStatus.REQUEST_URI_TOO_LONG)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            self._handle()
            self.wfile.flush()
        except TimeoutError:
            self.close_connection = True

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if len(self.requestline.split()) == 2:  # HTTP/0.9: no status line, no headers
            self.send_error(
                http.HTTPStatus.BAD_REQUEST,
                "Bad request syntax",
                f"{short_repr(self.requestline, limit=200)} names no HTTP version; send HTTP/1.1",
            )
            return False
        return True

    def handle_expect_100(self) -> bool:
        # Refuse before the client sends a body we would not read (an oversized one).
        checked = self._check()
        if isinstance(checked, _Reply):
            self._send(checked)
            return False
        return super().handle_expect_100()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # The standard library's refusals (bad request line, header flood, ...) in the same JSON
        # shape as the fake's own, always closing: what follows on the connection is unknown.
        status = http.HTTPStatus(code)
        text = f"{code} {message or status.phrase}" + (f": {explain}" if explain else "")
        self._send(_refusal(code, "BadRequestException", text, close=True))

    def _check(self) -> _Reply | tuple[str, int]:
        """The path after the secret and the body length, or the refusal to send instead.

        A refusal of a request that may carry a body closes the connection: the body is not
        read, so the next request on it could not be found.
        """
        server = self.server
        path = server.api_path(self.path)
        if path is None:
            return _refusal(
                403,
                "AccessDeniedException",
                f"{short_repr(self.path, limit=200)} is not an endpoint of this "
                "pytest-amplify-jobs fake: its URLs start with the fake's secret path; use the "
                "URL serve() returned (AWS_ENDPOINT_URL_AMPLIFY while the fake is active)",
                close=self._may_have_body(),
            )
        if self.headers.get("Transfer-Encoding"):
            return _refusal(
                411,
                "BadRequestException",
                "411 Length Required: send the body with a Content-Length, not "
                f"Transfer-Encoding: {short_repr(self.headers['Transfer-Encoding'], limit=60)}",
                close=True,
            )
        declared = [value.strip() for value in self.headers.get_all("Content-Length") or []]
        if not declared:
            if self.command in _BODY_METHODS:
                return _refusal(
                    411,
                    "BadRequestException",
                    f"411 Length Required: a {self.command} needs a Content-Length",
                    close=True,
                )
            return path, 0
        if len(set(declared)) > 1 or not declared[0].isdigit() or not declared[0].isascii():
            return _refusal(
                400,
                "BadRequestException",
                f"400 Bad Request: Content-Length={short_repr(', '.join(declared), limit=60)}; "
                "allowed: one whole number of bytes",
                close=True,
            )
        length = int(declared[0])
        if length > server.max_body_bytes:
            return _refusal(
                413,
                "BadRequestException",
                f"413 Content Too Large: Content-Length={length}; an API request body may have "
                f"at most {server.max_body_bytes} bytes",
                close=True,
            )
        return path, length

    def _may_have_body(self) -> bool:
        length = self.headers.get("Content-Length", "").strip()
        return bool(self.headers.get("Transfer-Encoding")) or length not in ("", "0")

    def _handle(self) -> None:
        checked = self._check()
        if isinstance(checked, _Reply):
            self._send(checked)
            return
        path, length = checked
        try:
            body = self._read_body(length)
        except TimeoutError:
            self._send(
                _refusal(
                    408,
                    "RequestTimeoutException",
                    f"408 Request Timeout: the body (Content-Length={length}) did not arrive "
                    f"within {self.server.read_timeout:g} s",
                    close=True,
                )
            )
            return
        if body is None:  # the client went away or hung up early: nobody to answer
            self.close_connection = True
            return
        reply = self._answer(path, body)
        if reply is None:  # the fake is closing
            self.close_connection = True
            return
        self._send(reply)

    def _read_body(self, length: int) -> bytes | None:
        """The body, read whole within the read timeout; None if the connection ends first."""
        if not length:
            return b""
        timeout = self.server.read_timeout
        deadline = time.monotonic() + timeout
        chunks: list[bytes] = []
        left = length
        try:
            while left:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                self.connection.settimeout(remaining)
                chunk = self.rfile.read1(min(left, 1 << 16))  # type: ignore[attr-defined,unused-ignore]
                if not chunk:
                    return None
                chunks.append(chunk)
                left -= len(chunk)
        except TimeoutError:
            raise
        except OSError:
            return None
        finally:
            with contextlib.suppress(OSError):
                self.connection.settimeout(timeout)
        return b"".join(chunks)

    def _answer(self, path: str, body: bytes) -> _Reply | None:
        """The store's answer, under its lock; None if the fake closes meanwhile."""
        server = self.server
        url = f"http://{_HOST}{path}"  # absolute: a "//x" path stays a path
        refused = self._malformed(path, url, body)
        store = server.store
        lock = store.lock
        while not lock.acquire(timeout=_LOCK_POLL):
            if server.closing.is_set():
                return None
        try:
            if server.closing.is_set():
                return None
            if refused is not None:
                reply, request = refused
                server.log.append(request)
                return reply
            try:
                result = answer(store, self.command, url, body)
            except NotServed as error:
                server.log.append(
                    FakeRequest(error.operation or "?", self.command, path, {}, 400, "NotServed")
                )
                return _refusal(400, "BadRequestException", str(error))
            except Exception:
                server.record_error(f"{self.command} {path!r}: the fake raised")
                return _refusal(
                    500,
                    "InternalFailure",
                    "the pytest-amplify-jobs fake failed on this request (a bug of the fake); "
                    "see FakeServer.errors",
                )
            server.log.append(result.request)
            return _Reply(result.status, result.body, result.headers)
        finally:
            lock.release()

    def _malformed(self, path: str, url: str, body: bytes) -> tuple[_Reply, FakeRequest] | None:
        """The 400 for a request of a served route that cannot be parsed (bad JSON, a bad
        query value), and its log entry; None when it parses. Nothing here reads the store."""
        routed = _wire.match_route(self.command, path.partition("?")[0])
        if routed is None:
            return None  # answer() says what is served
        operation = routed[0]
        problem = None
        if body:
            try:
                decoded = json.loads(body.decode("utf-8"))
            except (ValueError, RecursionError) as error:
                problem = f"its body is not valid UTF-8 JSON ({str(error)[:200]})"
            else:
                if not isinstance(decoded, dict):
                    problem = f"its body is JSON {type(decoded).__name__}, not an object"
        if problem is None:
            try:
                _wire.parse_request(self.command, url, body)
            except Exception as error:  # e.g. an integer of more digits than int() reads
                problem = f"it cannot be read ({type(error).__name__}: {error})"
        if problem is None:
            return None
        message = f"{operation} request refused: {problem}; send a JSON object, as the SDKs do"
        request = FakeRequest(
            operation, self.command, _logged(path), {}, 400, "BadRequestException"
        )
        return _refusal(400, "BadRequestException", message), request

    def send_response(self, code: int, message: str | None = None) -> None:
        # Without the standard library's Server and Date: every answer carries its own date.
        self.log_request(code)
        self.send_response_only(code, message)

    def _send(self, reply: _Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            if name.lower() != "connection":
                self.send_header(name, value)
        if reply.close:
            self.send_header("Connection", "close")  # also sets close_connection
        self.end_headers()
        if self.command != "HEAD" and reply.body:
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        return None  # the fake's own request log is the record; a client's mistake is answered


class _Server(LocalServer):
    """The listening side of one :class:`FakeServer`."""

    connection_thread_name = "pytest-amplify-jobs-fake-connection"

    def __init__(
        self,
        store: Store,
        log: list[FakeRequest],
        *,
        secret: str,
        read_timeout: float,
        max_body_bytes: int,
    ) -> None:
        self.store = store
        self.log = log
        self.secret = secret
        self.read_timeout = read_timeout
        self.max_body_bytes = max_body_bytes
        self.errors: list[str] = []
        super().__init__(_Handler)

    def api_path(self, target: str) -> str | None:
        """The request target after ``/<secret>`` (``/apps/...?...``), or None if not ours."""
        if not target.startswith("/"):
            return None  # absolute-form or asterisk targets are never what we handed out
        head, _, query = target.partition("?")
        secret, slash, rest = head[1:].partition("/")
        if not hmac.compare_digest(secret.encode(), self.secret.encode()):
            return None
        path = "/" + rest if slash else "/"
        return f"{path}?{query}" if query else path

    def record_error(self, headline: str) -> None:
        text = f"{headline}\n{traceback.format_exc()}"
        with self._connections_lock:
            self.errors.append(text)


class FakeServer:
    """A running HTTP endpoint for a store on ``127.0.0.1``; :meth:`close` stops it
    (idempotent).

    ``url`` is ``http://127.0.0.1:<port>/<secret>``; ``log`` receives every request answered,
    like ``AmplifyFake.requests``. ``read_timeout`` (seconds, default :data:`READ_TIMEOUT`)
    and ``max_body_bytes`` (default :data:`MAX_BODY_BYTES`) bound what a client may make it wait
    for and read.
    """

    def __init__(
        self,
        store: Store,
        log: list[FakeRequest],
        *,
        read_timeout: float | None = None,
        max_body_bytes: int | None = None,
    ) -> None:
        timeout = READ_TIMEOUT if read_timeout is None else read_timeout
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not (timeout > 0 and math.isfinite(timeout))
        ):
            raise ValueError(
                f"read_timeout={short_repr(timeout)} is not allowed: it must be a finite number "
                "of seconds > 0"
            )
        limit = MAX_BODY_BYTES if max_body_bytes is None else max_body_bytes
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise ValueError(
                f"max_body_bytes={short_repr(limit)} is not allowed: it must be an int >= 0 (bytes)"
            )
        self._secret = secrets.token_urlsafe(16)
        self._server = _Server(
            store, log, secret=self._secret, read_timeout=float(timeout), max_body_bytes=limit
        )
        self.port: int = self._server.server_address[1]
        self.url = f"http://{_HOST}:{self.port}/{self._secret}"
        self.errors = self._server.errors
        """Exceptions of the fake's own side, each with its traceback: what a 500 was about."""
        self._closed = False
        self._close_lock = threading.Lock()
        self._server.start("pytest-amplify-jobs-fake")

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"serving on {_HOST}:{self.port}"
        return f"<FakeServer {state}>"

    def close(self) -> None:
        """Stop serving: the port is free and the server's threads are gone when this returns.

        Idempotent. Open keep-alive connections are cut and a request in flight is dropped
        unanswered; waits about a second at most for the threads.
        """
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        self._server.stop()
