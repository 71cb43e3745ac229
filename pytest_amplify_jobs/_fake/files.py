"""Every URL the fake hands out besides the API itself, served by the fake on ``127.0.0.1``.

CreateDeployment's upload URLs, the ``logUrl`` / ``artifactsUrl`` of GetJob's steps and the like
point at real S3 hosts in the service. A fake must never send code under test to the network, so
its URLs are ``http://127.0.0.1:<port>/<secret>/<path>``, answered by :class:`LocalFiles`:

- the ``<secret>`` (``secrets.token_urlsafe(16)``) keeps two fakes of one process apart: a URL of
  one fake is a 404 at the other, never a file of the wrong test;
- the fake's state decides the answers: callbacks registered by prefix (:meth:`LocalFiles.on_put`,
  :meth:`~LocalFiles.on_get`, :meth:`~LocalFiles.on_post`) run under the fake's store lock;
- a client's mistake (wrong secret, unknown path, garbage bytes, a missing, malformed, repeated
  with another value or oversized ``Content-Length``, a request that does not arrive whole
  within the read timeout of its first byte) gets a short plain-text answer with a status line
  (404, 405, 400, 411, 413, 408), never a traceback on the test's output; a client that hangs up
  is forgotten. Exceptions of the fake's own callbacks are kept in :attr:`LocalFiles.errors`.

:class:`LocalHandler` and :class:`LocalServer` are what this endpoint and server mode's API
(:mod:`.server`) share: the read deadline, the ``Content-Length`` rules, the refusals of the
standard library with a status line, the accept loop that stops at once.

Where no socket may be opened (``pytest --disable-socket``), the URLs still exist but point at
the discard port 9, so a test that only reads them keeps working.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import hmac
import http
import http.server
import io
import math
import re
import secrets
import selectors
import socket
import socketserver
import sys
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pytest_amplify_jobs._text import short_repr

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = [
    "MAX_UPLOAD_BYTES",
    "READ_TIMEOUT",
    "LocalFiles",
    "LocalHandler",
    "LocalServer",
    "Upload",
    "declared_length",
]

MAX_UPLOAD_BYTES = 512 * 2**20
"""The largest upload (PUT or POST body) answered, in bytes; a larger ``Content-Length`` is a 413."""
READ_TIMEOUT = 30.0
"""Seconds a request may take to arrive whole from its first byte (request line, headers and
body), and the longest a keep-alive connection may stay idle between requests."""

_HOST = "127.0.0.1"
_DISCARD_PORT = 9  # where URLs point when nothing may listen: the discard service, never ours
_TEXT = "text/plain; charset=utf-8"
_JSON = "application/json"
_METHODS = ("GET", "HEAD", "PUT", "POST")
_LOCK_POLL = 0.05  # seconds between looks at "closing" while waiting for the store lock
_CLOSE_WAIT = 1.0  # seconds close() waits for the server's threads
_CLOSED_MESSAGE = "the fake has exited; its URLs are no longer served"
_MAX_LINE = 65536  # the standard library's limit of a request or header line
_CHUNK = 1 << 16  # bytes of a body read at once: memory follows what arrived, not what was declared


@dataclasses.dataclass(frozen=True, repr=False)
class Upload:
    """One PUT the endpoint accepted (its callback returned without raising).

    ``path`` is the path after the secret, unquoted, as given to :meth:`LocalFiles.url`
    (``"uploads/d1abc/main/3/deploy.zip"``); the query string is not part of it.
    """

    path: str
    body: bytes
    content_type: str | None

    def __repr__(self) -> str:
        # A deployment zip can be hundreds of megabytes: the repr names its size, not its bytes.
        return (
            f"Upload(path={self.path!r}, body=<{len(self.body)} bytes>, "
            f"content_type={self.content_type!r})"
        )


@dataclasses.dataclass(frozen=True)
class _Request:
    path: str
    body: bytes
    content_type: str | None


@dataclasses.dataclass(frozen=True)
class _Reply:
    status: int
    body: bytes
    content_type: str = _TEXT
    headers: tuple[tuple[str, str], ...] = ()
    close: bool = False


# A registered route: the caller's callback wrapped into one shape, run under the store lock.
_Answer = Callable[[_Request], _Reply]


def _text_reply(status: int, message: str, *, close: bool = False, **headers: str) -> _Reply:
    return _Reply(status, (message + "\n").encode(), headers=tuple(headers.items()), close=close)


class LocalFiles:
    """Files of one fake, served on 127.0.0.1 while the fake is active.

    The server starts on the first :meth:`url` and stops at :meth:`close`. Callbacks run with
    ``lock`` held (the fake's store lock, so the files and the API answer from one state); without
    one, the instance uses its own. A body over ``max_upload_bytes`` (default
    :data:`MAX_UPLOAD_BYTES`) is a 413 before it is read; a request must arrive whole within
    ``read_timeout`` seconds of its first byte (default :data:`READ_TIMEOUT`), else a 408.

    >>> files = LocalFiles()
    >>> files.on_get("logs/", lambda path: ("text/plain", b"build ok"))
    >>> files.url("logs/job 1.txt", query="X-Amz-Expires=3600")  # doctest: +ELLIPSIS
    'http://127.0.0.1:.../logs/job%201.txt?X-Amz-Expires=3600'
    >>> files.close()
    """

    def __init__(
        self,
        *,
        max_upload_bytes: int = MAX_UPLOAD_BYTES,
        read_timeout: float = READ_TIMEOUT,
        lock: threading.RLock | None = None,
    ) -> None:
        if isinstance(max_upload_bytes, bool) or not isinstance(max_upload_bytes, int):
            raise TypeError(
                f"max_upload_bytes={short_repr(max_upload_bytes)} is not allowed: "
                "it must be an int, a number of bytes >= 0"
            )
        if max_upload_bytes < 0:
            raise ValueError(
                f"max_upload_bytes={max_upload_bytes!r} is not allowed: it must be >= 0 (bytes)"
            )
        if isinstance(read_timeout, bool) or not isinstance(read_timeout, (int, float)):
            raise TypeError(
                f"read_timeout={short_repr(read_timeout)} is not allowed: "
                "it must be a number of seconds > 0"
            )
        if not (read_timeout > 0 and math.isfinite(read_timeout)):
            raise ValueError(
                f"read_timeout={read_timeout!r} is not allowed: it must be a finite number of "
                "seconds > 0"
            )
        self.max_upload_bytes = max_upload_bytes
        self.read_timeout = float(read_timeout)
        self.errors: list[str] = []
        """Exceptions of the fake's own side (a callback that raised other than ``ValueError``,
        or answered a wrong type), each with its traceback: what a 500 answer was about."""
        self._lock: threading.RLock = lock if lock is not None else threading.RLock()
        self._secret = secrets.token_urlsafe(16)
        # Guards the fields below; never held while waiting for ``_lock`` (lock order:
        # store lock, then this one).
        self._state = threading.Lock()
        self._routes: dict[str, dict[str, _Answer]] = {"GET": {}, "PUT": {}, "POST": {}}
        self._uploads: list[Upload] = []
        self._started = False
        self._closed = False
        self._port = _DISCARD_PORT
        self._server: _Server | None = None
        self._start_error: str | None = None

    def __repr__(self) -> str:
        with self._state:
            if self._closed:
                state = "closed"
            elif self._server is not None:
                state = f"serving on {_HOST}:{self._port}"
            elif self._start_error is not None:
                state = f"not serving ({self._start_error}); URLs use port {_DISCARD_PORT}"
            else:
                state = "not started"
            uploads = len(self._uploads)
        return f"<LocalFiles {state}, {uploads} upload(s)>"

    def url(self, path: str, *, query: str = "") -> str:
        """The URL of ``path``: ``http://127.0.0.1:<port>/<secret>/<path>[?query]``.

        ``path`` is quoted (``"a/b c"`` -> ``"a/b%20c"``); the server unquotes it again, so
        callbacks and :attr:`uploads` see ``path`` exactly. ``query`` is appended as given (build
        it with ``urllib.parse.urlencode``); the server ignores it when routing.

        Starts the server on first use. If no listening socket can be created (``pytest
        --disable-socket``, a sandbox), this does not fail: the URLs point at port 9, the discard
        port, and :attr:`serving` stays False. Starting is tried once per instance, so every URL
        of one fake names the same port.

        >>> files = LocalFiles()
        >>> files.url("a/b c").rsplit("/", 2)[-2:]
        ['a', 'b%20c']
        >>> files.close()
        """
        if not isinstance(path, str):
            raise TypeError(f"path={short_repr(path)} is not allowed: it must be a str")
        if not isinstance(query, str):
            raise TypeError(f"query={short_repr(query)} is not allowed: it must be a str")
        if query.startswith("?") or _REFUSED_IN_QUERY.search(query):
            raise ValueError(
                f"query={short_repr(query)} is not allowed: it must be an encoded query string "
                "without a leading '?', '#', spaces, control or non-ASCII characters "
                "(build it with urllib.parse.urlencode)"
            )
        with self._state:
            if self._closed:
                raise RuntimeError(_CLOSED_MESSAGE)
            if not self._started:
                self._started = True
                self._start()
            port = self._port
        url = f"http://{_HOST}:{port}/{self._secret}/{_quoted(path)}"
        return f"{url}?{query}" if query else url

    @property
    def serving(self) -> bool:
        """Whether a server is listening for this instance's URLs (started and not closed)."""
        with self._state:
            return self._server is not None and not self._closed

    def on_put(self, prefix: str, accept: Callable[[str, bytes], None]) -> None:
        """Accept PUTs to paths starting with ``prefix``: ``accept(path, body)``.

        When ``accept`` returns, the PUT is recorded as an :class:`Upload` and answered 200 with
        an ``ETag`` (the quoted MD5 of the body, as S3 does). ``accept`` may raise
        ``ValueError(message)``: the answer is 400 with that message and nothing is recorded.
        The longest registered prefix wins; registering a prefix again replaces its callback.
        """
        _check_route("on_put", prefix, accept)

        def answer(request: _Request) -> _Reply:
            accept(request.path, request.body)
            with self._state:
                self._uploads.append(Upload(request.path, request.body, request.content_type))
            etag = '"' + hashlib.md5(request.body, usedforsecurity=False).hexdigest() + '"'
            return _Reply(200, b"", headers=(("ETag", etag),))

        self._add_route("PUT", prefix, answer)

    def on_get(self, prefix: str, serve: Callable[[str], tuple[str, bytes] | None]) -> None:
        """Answer GETs (and HEADs) under ``prefix`` with ``serve(path)``.

        ``serve`` returns ``(content_type, body)``, or None for a 404; a ``ValueError(message)``
        it raises is a 400 with that message. The longest registered prefix wins.
        """
        _check_route("on_get", prefix, serve)

        def answer(request: _Request) -> _Reply:
            found = serve(request.path)
            if found is None:
                return _not_found(request.path)
            content_type, body = found
            if not isinstance(content_type, str) or not isinstance(body, bytes):
                raise TypeError(
                    f"the on_get callback for {request.path!r} returned {short_repr(found)}; "
                    "allowed: a (content_type: str, body: bytes) tuple or None"
                )
            return _Reply(200, body, content_type)

        self._add_route("GET", prefix, answer)

    def on_post(self, prefix: str, accept: Callable[[str, bytes], tuple[int, bytes]]) -> None:
        """Answer POSTs under ``prefix`` with ``accept(path, body) -> (status, json_body)``.

        The answer carries ``Content-Type: application/json``. A ``ValueError(message)`` raised
        by ``accept`` is a 400 with that message. The longest registered prefix wins.
        """
        _check_route("on_post", prefix, accept)

        def answer(request: _Request) -> _Reply:
            result = accept(request.path, request.body)
            status, body = result
            if (
                isinstance(status, bool)
                or not isinstance(status, int)
                or not 200 <= status <= 599
                or not isinstance(body, bytes)
            ):
                raise TypeError(
                    f"the on_post callback for {request.path!r} returned {short_repr(result)}; "
                    "allowed: a (status: int in 200..599, json_body: bytes) tuple"
                )
            return _Reply(status, body, _JSON)

        self._add_route("POST", prefix, answer)

    @property
    def uploads(self) -> list[Upload]:
        """The PUTs accepted so far, in the order they were accepted (a copy)."""
        with self._state:
            return list(self._uploads)

    def close(self) -> None:
        """Stop serving: the port is free and the server's threads are gone when this returns.

        Idempotent. Open keep-alive connections are cut; waits about a second at most for the
        threads. Afterwards :meth:`url` raises ``RuntimeError``.
        """
        with self._state:
            if self._closed:
                return
            self._closed = True
            server = self._server
        if server is not None:
            server.stop()

    # -- internals -------------------------------------------------------------------------------

    def _start(self) -> None:
        """Listen on ``127.0.0.1`` (called once, with ``_state`` held)."""
        try:
            server = _Server(self)
        except Exception as error:  # pytest-socket raises its own error at socket creation
            self._start_error = f"{type(error).__name__}: {error}"
            return
        try:
            server.start("pytest-amplify-jobs-files")
        except Exception as error:  # no thread to be had: same fallback (the port is freed)
            self._start_error = f"{type(error).__name__}: {error}"
            return
        self._server = server
        self._port = server.server_address[1]

    def _add_route(self, method: str, prefix: str, answer: _Answer) -> None:
        with self._state:
            self._routes[method][prefix] = answer

    def _route(self, method: str, path: str) -> _Answer | None:
        """The callback of the longest prefix of ``path`` registered for ``method``."""
        with self._state:
            routes = self._routes["GET" if method == "HEAD" else method]
            matches = [prefix for prefix in routes if path.startswith(prefix)]
            return routes[max(matches, key=len)] if matches else None

    def _path(self, target: str) -> str | None:
        """The unquoted path after the secret of a request target, or None if not ours."""
        raw = target.partition("?")[0]
        if not raw.startswith("/"):
            return None  # absolute-form or asterisk targets are never URLs we handed out
        secret, slash, rest = raw[1:].partition("/")
        if not slash or not hmac.compare_digest(secret.encode(), self._secret.encode()):
            return None
        return urllib.parse.unquote(rest)

    def _record_error(self, headline: str) -> None:
        text = f"{headline}\n{traceback.format_exc()}"
        with self._state:
            self.errors.append(text)


# Any character but printable ASCII other than space and "#": a character a query string
# must not carry as it is (what str.isspace, isprintable and isascii refuse, and "#").
_REFUSED_IN_QUERY = re.compile(r"[^\x21\x22\x24-\x7e]")


@functools.lru_cache(maxsize=1024)
def _quoted(path: str) -> str:
    """``path`` quoted for a URL (GetJob hands out the same log URLs on every poll)."""
    return urllib.parse.quote(path, safe="/")


def _check_route(method: str, prefix: object, callback: object) -> None:
    if not isinstance(prefix, str):
        raise TypeError(f"{method}(prefix={short_repr(prefix)}) is not allowed: it must be a str")
    if not callable(callback):
        raise TypeError(
            f"{method}(callback={short_repr(callback)}) is not allowed: it must be callable"
        )


def _not_found(path: str) -> _Reply:
    return _text_reply(404, f"404 Not Found: no file at {short_repr(path, limit=200)}")


def declared_length(values: Sequence[str], limit: int) -> int | None:
    """The body length a request's ``Content-Length`` headers declare; None without one.

    Raises ``ValueError`` naming the values unless they are one whole number of bytes (a header
    repeated with the same value is one, as RFC 9110 allows; two different values are refused:
    which one frames the body is exactly what a smuggled request exploits). A number above
    ``limit`` comes back as ``limit + 1`` whatever its size, so the caller refuses it with a 413:
    ``int()`` refuses more than 4300 digits, and the number is never needed.

    >>> declared_length(["12"], 100), declared_length([], 100), declared_length(["9" * 5000], 100)
    (12, None, 101)
    >>> declared_length(["2", "3"], 100)
    Traceback (most recent call last):
    ...
    ValueError: Content-Length='2, 3'; allowed: one whole number of bytes (repeated only with the same value)
    """
    stripped = {value.strip(" \t") for value in values}
    if not stripped:
        return None
    if len(stripped) > 1 or not _DIGITS.fullmatch(next(iter(stripped))):
        raise ValueError(
            f"Content-Length={short_repr(', '.join(values), limit=60)}; allowed: one whole "
            "number of bytes (repeated only with the same value)"
        )
    digits = next(iter(stripped)).lstrip("0") or "0"
    if len(digits) > len(str(limit)):
        return limit + 1
    return min(int(digits), limit + 1)


_DIGITS = re.compile(r"[0-9]+")


class _Deadline(io.RawIOBase):
    """A connection's reads, each waiting at most what is left of the request's deadline.

    A socket timeout bounds one read: a client trickling a byte at a time would never reach it.
    While a request arrives, ``deadline`` (``time.monotonic()``) bounds all its reads together;
    between requests (``deadline`` None) one read waits at most ``idle`` seconds.
    """

    def __init__(self, connection: socket.socket, idle: float) -> None:
        super().__init__()
        self._connection = connection
        self.idle = idle
        self.deadline: float | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        if self.deadline is None:
            timeout = self.idle
        else:
            timeout = self.deadline - time.monotonic()
            if timeout <= 0:
                raise TimeoutError
        self._connection.settimeout(timeout)
        return self._connection.recv_into(buffer)


class LocalHandler(http.server.BaseHTTPRequestHandler):
    """What the handlers of both local endpoints share (the files and server mode's API).

    - every method reaches ``_handle`` (the subclass says what it serves and refuses);
    - a request must arrive whole, request line, headers and body, within the server's
      ``read_timeout`` of its first byte, else it is a 408 and the connection closes; a
      keep-alive connection idle that long between requests is closed without an answer;
    - a refusal of the standard library (a malformed request line, a header flood) goes through
      ``send_error``, which the subclass words in its endpoint's format; it always closes.
    """

    server: LocalServer
    protocol_version = "HTTP/1.1"  # keep-alive, as HTTP clients' connection pools expect
    # A refusal of a request line without a version (garbage bytes) still gets a status line:
    # the standard library's default, HTTP/0.9, means a bare body.
    default_request_version = "HTTP/1.0"

    def setup(self) -> None:
        super().setup()
        # Reads through the deadline; the makefile() rfile is closed, or the socket would stay
        # open (referenced) after the connection ends.
        self.rfile.close()
        self._reader = _Deadline(self.connection, self.server.read_timeout)
        self._input = io.BufferedReader(self._reader)
        self.rfile = self._input
        self._awaiting = ""
        self.connection.settimeout(self.server.read_timeout)
        # Headers and body leave in two writes: without this, Nagle's algorithm holds the body
        # until the client's delayed ACK (~40 ms an answer on Linux).
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle_one_request(self) -> None:
        # The standard library's loop, except that every method reaches _handle, and the read
        # timeout is one deadline for the whole request rather than a bound on each read.
        reader = self._reader
        reader.deadline = None
        try:
            if not self._input.peek(1):  # the client closed its side: no request
                self.close_connection = True
                return
        except TimeoutError:  # idle for read_timeout: drop quietly (an idle pool connection)
            self.close_connection = True
            return
        reader.deadline = time.monotonic() + self.server.read_timeout
        self._awaiting = "the request line and headers"
        # What a refusal before the request line is whole answers with (not the last request's).
        self.requestline, self.command = "", ""
        self.request_version = self.default_request_version
        try:
            self.raw_requestline = self._input.readline(_MAX_LINE + 1)
            if len(self.raw_requestline) > _MAX_LINE:
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
            if reader.deadline is not None:  # still reading the request: say why it ends
                self._timed_out()
        finally:
            reader.deadline = None

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        # HTTP/0.9 (a two-word request line, or the version named) is answered without a status
        # line or headers: refused, with both.
        if len(self.requestline.split()) == 2:
            self.send_error(
                http.HTTPStatus.BAD_REQUEST,
                "Bad request syntax",
                f"{short_repr(self.requestline, limit=200)} names no HTTP version; send HTTP/1.1",
            )
            return False
        version = self.request_version
        if int(version.partition("/")[2].partition(".")[0]) < 1:  # checked digits: HTTP/d.d
            self.request_version = self.default_request_version
            self.send_error(
                http.HTTPStatus.HTTP_VERSION_NOT_SUPPORTED,
                None,
                f"{short_repr(version)} is not served; send HTTP/1.1",
            )
            return False
        return True

    def _timed_out(self) -> None:
        timeout = self.server.read_timeout
        with contextlib.suppress(OSError):
            self.send_error(
                http.HTTPStatus.REQUEST_TIMEOUT,
                None,
                f"{self._awaiting} did not arrive within {timeout:g} s of the request's first "
                "byte (the read timeout: a request must arrive whole within it)",
            )

    def _reading_done(self) -> None:
        """The request is read (or refused unread): answers are written without a deadline."""
        self._reader.deadline = None
        with contextlib.suppress(OSError):
            self.connection.settimeout(self.server.read_timeout)

    def _read_body(self, length: int) -> bytes | None:
        """The body, read in chunks (memory follows what arrives) before the request's deadline;
        None if the client ends the connection first. ``TimeoutError`` past the deadline."""
        self._awaiting = f"the body (Content-Length={length})"
        chunks: list[bytes] = []
        left = length
        try:
            while left:
                chunk = self._input.read1(min(left, _CHUNK))
                if not chunk:
                    return None
                chunks.append(chunk)
                left -= len(chunk)
        except TimeoutError:
            raise
        except OSError:  # reset by the client
            return None
        self._reading_done()
        return b"".join(chunks)

    def _may_have_body(self) -> bool:
        length = self.headers.get("Content-Length", "").strip()
        return bool(self.headers.get("Transfer-Encoding")) or length not in ("", "0")

    def _handle(self) -> None:
        raise NotImplementedError

    def log_message(self, format: str, *args: Any) -> None:
        return None  # a client's mistake is answered, not printed


class _Handler(LocalHandler):
    server: _Server

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.command not in _METHODS:
            self._send(self._method_not_allowed())
            return False
        return True

    def handle_expect_100(self) -> bool:
        # Refuse before the client sends a body we would not read (an oversized upload).
        checked = self._check()
        if isinstance(checked, _Reply):
            self._send(checked)
            return False
        return super().handle_expect_100()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # The standard library's refusals (bad request line, header flood, ...) as plain text
        # like the endpoint's own, always closing: what follows on the connection is unknown.
        text = f"{code} {message or http.HTTPStatus(code).phrase}" + (
            f": {explain}" if explain else ""
        )
        self._send(_text_reply(code, text, close=True))

    def _method_not_allowed(self) -> _Reply:
        return _text_reply(
            405,
            f"405 Method Not Allowed: {short_repr(self.command)}; allowed: {', '.join(_METHODS)}",
            close=True,
            Allow=", ".join(_METHODS),
        )

    def _check(self) -> _Reply | tuple[str, _Answer, int]:
        """The route and body length of this request, or the refusal to send instead.

        Every refusal of a request that may carry a body closes the connection: the body is
        not read, so the next request on it could not be found.
        """
        files = self.server.files
        if self.command not in _METHODS:
            return self._method_not_allowed()
        path = files._path(self.path)
        if path is None:
            return _text_reply(
                404,
                "404 Not Found: this URL was not handed out by this fake (wrong secret)",
                close=self._may_have_body(),
            )
        answer = files._route(self.command, path)
        if answer is None:
            return dataclasses.replace(_not_found(path), close=self._may_have_body())
        if self.headers.get("Transfer-Encoding"):
            return _text_reply(
                411,
                "411 Length Required: send the body with a Content-Length, not chunked",
                close=True,
            )
        limit = files.max_upload_bytes
        try:
            length = declared_length(self.headers.get_all("Content-Length") or [], limit)
        except ValueError as error:
            return _text_reply(400, f"400 Bad Request: {error}", close=True)
        if length is None:
            if self.command in ("PUT", "POST"):
                return _text_reply(
                    411, f"411 Length Required: a {self.command} needs a Content-Length", close=True
                )
            return path, answer, 0
        if length > limit:
            declared = self.headers["Content-Length"].strip()
            return _text_reply(
                413,
                f"413 Content Too Large: Content-Length={short_repr(declared, limit=60)}; "
                f"allowed: at most {limit} bytes",
                close=True,
            )
        return path, answer, length

    def _handle(self) -> None:
        checked = self._check()
        if isinstance(checked, _Reply):
            self._send(checked)
            return
        path, answer, length = checked
        body = self._read_body(length)
        if body is None:  # the client went away before the body was whole: nobody to answer
            self.close_connection = True
            return
        reply = self._call(answer, _Request(path, body, self.headers.get("Content-Type")))
        if reply is None:
            self.close_connection = True
            return
        self._send(reply)

    def _call(self, answer: _Answer, request: _Request) -> _Reply | None:
        """``answer(request)`` under the store lock; None if the fake closes meanwhile."""
        files = self.server.files
        lock = files._lock
        while not lock.acquire(timeout=_LOCK_POLL):
            if self.server.closing.is_set():
                return None
        try:
            return answer(request)
        except ValueError as error:
            return _text_reply(400, f"400 Bad Request: {error}")
        except Exception:
            files._record_error(f"{self.command} {request.path!r}: the fake's callback raised")
            return _text_reply(
                500, "500 Internal Server Error: the fake failed; see LocalFiles.errors"
            )
        finally:
            lock.release()

    def _send(self, reply: _Reply) -> None:
        self._reading_done()
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        if reply.close:
            self.send_header("Connection", "close")  # also sets close_connection
        self.end_headers()
        if self.command != "HEAD" and reply.body:
            self.wfile.write(reply.body)


class LocalServer(http.server.ThreadingHTTPServer):
    """A ``ThreadingHTTPServer`` on ``127.0.0.1`` that stops at once (both local endpoints:
    :class:`LocalFiles` and server mode).

    The standard library's ``serve_forever`` looks at its shutdown flag every poll interval,
    so ``shutdown()`` waits up to that long (50 ms here, for every fake that handed out a URL).
    The accept loop here waits on the listening socket and on a wake-up socket instead:
    :meth:`stop` writes one byte and the loop ends within microseconds. Each connection gets a
    thread of our own, tracked, so that :meth:`stop` can cut idle keep-alive connections and
    join their threads.
    """

    daemon_threads = True
    connection_thread_name = "pytest-amplify-jobs-connection"

    def __init__(self, handler: type[LocalHandler], *, read_timeout: float) -> None:
        self.read_timeout = read_timeout
        """Seconds a request may take to arrive whole from its first byte; also the longest
        a keep-alive connection stays idle between requests."""
        self.closing = threading.Event()
        self._connections: dict[threading.Thread, socket.socket] = {}
        self._connections_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        super().__init__((_HOST, 0), handler)
        try:
            self._wake_read, self._wake_write = socket.socketpair()
        except BaseException:
            self.server_close()
            raise
        self._wake_read.setblocking(False)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (socket.getfqdn): no lookup here.
        socketserver.TCPServer.server_bind(self)
        self.server_name = _HOST
        self.server_port = self.server_address[1]

    def start(self, name: str) -> None:
        """Run the accept loop in a daemon thread called ``name``; if no thread can be had,
        close the sockets (the port is free) and raise."""
        thread = threading.Thread(target=self._accept_loop, name=name, daemon=True)
        try:
            thread.start()
        except BaseException:
            self._close_sockets()
            raise
        self._thread = thread

    def _accept_loop(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_read, selectors.EVENT_READ)
            while not self.closing.is_set():
                try:
                    ready = selector.select()
                except (OSError, ValueError):  # the sockets were closed under us: stop
                    return
                for key, _ in ready:
                    if key.fileobj is self.socket and not self.closing.is_set():
                        self._accept_one()

    def _accept_one(self) -> None:
        # What socketserver's _handle_request_noblock does, without its private name.
        try:
            request, client_address = self.get_request()
        except OSError:
            return
        try:
            self.process_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
            self.shutdown_request(request)
        except BaseException:
            self.shutdown_request(request)
            raise

    def stop(self, wait: float = _CLOSE_WAIT) -> None:
        """Stop accepting, free the port, cut open connections and join every thread (about
        ``wait`` seconds at most). Call once."""
        deadline = time.monotonic() + wait
        self.closing.set()
        with contextlib.suppress(OSError):
            self._wake_write.send(b"\0")
        if self._thread is not None:
            self._thread.join(timeout=max(0.0, deadline - time.monotonic()))
        self._close_sockets()
        for connection in self.cut_connections():
            if connection is not threading.current_thread():  # stop() from a callback
                connection.join(timeout=max(0.0, deadline - time.monotonic()))

    def _close_sockets(self) -> None:
        self.server_close()
        for end in (self._wake_read, self._wake_write):
            end.close()

    def process_request(self, request: Any, client_address: Any) -> None:
        # Our own threads rather than ThreadingMixIn's: stop() must cut idle keep-alive
        # connections and wait for their threads, which daemon threads are not tracked for.
        thread = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name=self.connection_thread_name,
            daemon=True,
        )
        with self._connections_lock:
            self._connections[thread] = request
        try:
            thread.start()
        except BaseException:  # no thread to join at stop(); socketserver closes the request
            with self._connections_lock:
                self._connections.pop(thread, None)
            raise

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.pop(threading.current_thread(), None)

    def cut_connections(self) -> list[threading.Thread]:
        """Shut every open connection down (its thread then ends); their threads, to join."""
        with self._connections_lock:
            open_now = list(self._connections.items())
        for _, connection in open_now:
            with contextlib.suppress(OSError):  # already closed by its thread
                connection.shutdown(socket.SHUT_RDWR)
        return [thread for thread, _ in open_now]

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError) or self.closing.is_set():
            return  # the client went away or stalled, or stop() cut it: not our fault
        self.record_error(f"request from {client_address!r}: the server raised")

    def record_error(self, headline: str) -> None:
        """Keep an exception of the fake's own side (with the traceback being handled)."""
        raise NotImplementedError


class _Server(LocalServer):
    """The listening side of one :class:`LocalFiles`."""

    connection_thread_name = "pytest-amplify-jobs-files-connection"

    def __init__(self, files: LocalFiles) -> None:
        self.files = files
        super().__init__(_Handler, read_timeout=files.read_timeout)

    def record_error(self, headline: str) -> None:
        self.files._record_error(headline)
