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
- a client's mistake is answered, never printed: garbage bytes, a malformed request line or a
  header flood get the standard library's refusal (400, 414, 431, 505; HTTP/0.9 too, with a
  status line) as a JSON error body, bad JSON a 400 ``BadRequestException``, a body without
  ``Content-Length`` a 411, a ``Content-Length`` that is not one whole number a 400, one over
  :data:`MAX_BODY_BYTES` (however many digits it has) a 413 sent before the body is read, a
  request that does not arrive whole within :data:`READ_TIMEOUT` of its first byte (one deadline
  for request line, headers and body, not a bound on each read) a 408. A refused request never
  reaches the store;
- :meth:`FakeServer.close` cuts open connections, stops, joins every thread it started and
  frees the port within about a second. Exceptions of the fake itself (a 500) are kept in
  :attr:`FakeServer.errors`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import http
import http.server
import json
import math
import secrets
import threading
import traceback
import urllib.parse
import uuid

from pytest_amplify_jobs import _wire
from pytest_amplify_jobs._fake.files import LocalHandler, LocalServer, declared_length
from pytest_amplify_jobs._fake.state import Store
from pytest_amplify_jobs._fake.wire import FakeRequest, NotServed, answer
from pytest_amplify_jobs._text import short_repr

__all__ = ["MAX_BODY_BYTES", "READ_TIMEOUT", "FakeServer"]

MAX_BODY_BYTES = 6 * 2**20
"""The largest API request body answered (bytes); a larger ``Content-Length`` is a 413."""
READ_TIMEOUT = 30.0
"""Seconds a request may take to arrive whole from its first byte (request line, headers and
body; then a 408), and the longest a keep-alive connection may stay idle between requests."""

_HOST = "127.0.0.1"
_LOCK_POLL = 0.05  # seconds between looks at "closing" while waiting for the store lock
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


class _Handler(LocalHandler):
    server: _Server

    def handle_expect_100(self) -> bool:
        # Refuse before the client sends a body we would not read (an oversized one).
        checked = self._check()
        if isinstance(checked, _Reply):
            self._send(checked)
            return False
        return super().handle_expect_100()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # The standard library's refusals (bad request line, header flood, ...) and the read
        # timeout in the same JSON shape as the fake's own, always closing: what follows on the
        # connection is unknown.
        status = http.HTTPStatus(code)
        text = f"{code} {message or status.phrase}" + (f": {explain}" if explain else "")
        error_code = "RequestTimeoutException" if code == 408 else "BadRequestException"
        self._send(_refusal(code, error_code, text, close=True))

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
        limit = server.max_body_bytes
        try:
            length = declared_length(self.headers.get_all("Content-Length") or [], limit)
        except ValueError as error:
            return _refusal(400, "BadRequestException", f"400 Bad Request: {error}", close=True)
        if length is None:
            if self.command in _BODY_METHODS:
                return _refusal(
                    411,
                    "BadRequestException",
                    f"411 Length Required: a {self.command} needs a Content-Length",
                    close=True,
                )
            return path, 0
        if length > limit:
            declared = self.headers["Content-Length"].strip()
            return _refusal(
                413,
                "BadRequestException",
                f"413 Content Too Large: Content-Length={short_repr(declared, limit=60)}; an "
                f"API request body may have at most {limit} bytes",
                close=True,
            )
        return path, length

    def _handle(self) -> None:
        checked = self._check()
        if isinstance(checked, _Reply):
            self._send(checked)
            return
        path, length = checked
        body = self._read_body(length)  # TimeoutError past the deadline: a 408
        if body is None:  # the client went away or hung up early: nobody to answer
            self.close_connection = True
            return
        reply = self._answer(path, body)
        if reply is None:  # the fake is closing
            self.close_connection = True
            return
        self._send(reply)

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
        self._reading_done()
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            if name.lower() != "connection":
                self.send_header(name, value)
        if reply.close:
            self.send_header("Connection", "close")  # also sets close_connection
        self.end_headers()
        if self.command != "HEAD" and reply.body:
            self.wfile.write(reply.body)


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
        self.max_body_bytes = max_body_bytes
        self.errors: list[str] = []
        super().__init__(_Handler, read_timeout=read_timeout)

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
    like ``AmplifyFake.requests``. ``read_timeout`` (seconds, default :data:`READ_TIMEOUT`: the
    deadline of a whole request from its first byte, and the longest idle keep-alive) and
    ``max_body_bytes`` (default :data:`MAX_BODY_BYTES`) bound what a client may make it wait
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
