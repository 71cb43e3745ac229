"""Every URL the fake hands out besides the API itself, served by the fake on ``127.0.0.1``.

CreateDeployment's upload URLs, the ``logUrl`` / ``artifactsUrl`` of GetJob's steps and the like
point at real S3 hosts in the service. A fake must never send code under test to the network, so
its URLs are ``http://127.0.0.1:<port>/<secret>/<path>``, answered by :class:`LocalFiles`:

- the ``<secret>`` (``secrets.token_urlsafe(16)``) keeps two fakes of one process apart: a URL of
  one fake is a 404 at the other, never a file of the wrong test;
- the fake's state decides the answers: callbacks registered by prefix (:meth:`LocalFiles.on_put`,
  :meth:`~LocalFiles.on_get`, :meth:`~LocalFiles.on_post`) run under the fake's store lock;
- a client's mistake (wrong secret, unknown path, missing or oversized ``Content-Length``, a body
  that never arrives) gets a short plain-text answer or a dropped connection, never a traceback
  on the test's output. Exceptions of the fake's own callbacks are kept in
  :attr:`LocalFiles.errors`.

Where no socket may be opened (``pytest --disable-socket``), the URLs still exist but point at
the discard port 9, so a test that only reads them keeps working.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import hmac
import http.server
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
from collections.abc import Callable
from typing import Any

from pytest_amplify_jobs._text import short_repr

__all__ = ["LocalFiles", "LocalServer", "Upload"]

_HOST = "127.0.0.1"
_DISCARD_PORT = 9  # where URLs point when nothing may listen: the discard service, never ours
_TEXT = "text/plain; charset=utf-8"
_JSON = "application/json"
_METHODS = ("GET", "HEAD", "PUT", "POST")
_LOCK_POLL = 0.05  # seconds between looks at "closing" while waiting for the store lock
_CLOSE_WAIT = 1.0  # seconds close() waits for the server's threads
_CLOSED_MESSAGE = "the fake has exited; its URLs are no longer served"


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
    one, the instance uses its own.

    >>> files = LocalFiles()
    >>> files.on_get("logs/", lambda path: ("text/plain", b"build ok"))
    >>> files.url("logs/job 1.txt", query="X-Amz-Expires=3600")  # doctest: +ELLIPSIS
    'http://127.0.0.1:.../logs/job%201.txt?X-Amz-Expires=3600'
    >>> files.close()
    """

    def __init__(
        self,
        *,
        max_upload_bytes: int = 512 * 2**20,
        read_timeout: float = 30.0,
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


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as HTTP clients' connection pools expect
    # The standard library's own refusals (a malformed request line, ...) in plain text too.
    error_content_type = _TEXT
    error_message_format = "%(code)d %(message)s\n"

    def setup(self) -> None:
        super().setup()
        # Every read of the connection: a client that stalls is dropped after this long.
        self.connection.settimeout(self.server.files.read_timeout)
        # Headers and body go out in two writes: without this, Nagle's algorithm holds the
        # body back about 40 ms on every answer.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

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
        declared = self.headers.get("Content-Length")
        if declared is None:
            if self.command in ("PUT", "POST"):
                return _text_reply(
                    411, f"411 Length Required: a {self.command} needs a Content-Length", close=True
                )
            return path, answer, 0
        declared = declared.strip()
        if not declared.isdigit() or not declared.isascii():
            return _text_reply(
                400,
                f"400 Bad Request: Content-Length={short_repr(declared)}; "
                "allowed: a whole number of bytes",
                close=True,
            )
        length = int(declared)
        if length > files.max_upload_bytes:
            return _text_reply(
                413,
                f"413 Content Too Large: Content-Length={length}; allowed: at most "
                f"{files.max_upload_bytes} bytes",
                close=True,
            )
        return path, answer, length

    def _may_have_body(self) -> bool:
        length = self.headers.get("Content-Length", "").strip()
        return bool(self.headers.get("Transfer-Encoding")) or length not in ("", "0")

    def _handle(self) -> None:
        checked = self._check()
        if isinstance(checked, _Reply):
            self._send(checked)
            return
        path, answer, length = checked
        try:
            body = self.rfile.read(length) if length else b""
        except OSError:  # the read timeout, or the client went away: drop the request
            body = None
        if body is None or len(body) < length:
            self.close_connection = True
            return
        reply = self._call(answer, _Request(path, body, self.headers.get("Content-Type")))
        if reply is None:
            self.close_connection = True
            return
        self._send(reply)

    do_GET = do_HEAD = do_PUT = do_POST = _handle

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

    def log_message(self, format: str, *args: Any) -> None:
        return None  # a client's mistake is answered, not printed


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

    def __init__(self, handler: type[http.server.BaseHTTPRequestHandler]) -> None:
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
        super().__init__(_Handler)

    def record_error(self, headline: str) -> None:
        self.files._record_error(headline)
