"""The fake service over real HTTP: a ``ThreadingHTTPServer`` on ``127.0.0.1`` answering from
the same :class:`~.state.Store` as the in-process fake, through the same :func:`~.wire.answer`.

For child processes (the ``aws`` CLI, shell scripts, other SDKs): they find it through
``AWS_ENDPOINT_URL_AMPLIFY``. Signatures are not checked; an operation the fake does not serve
is answered with a 400 naming the ones it does (it is never forwarded anywhere).
"""

from __future__ import annotations

import http.server
import threading
from typing import Any

from pytest_amplify_jobs import _wire
from pytest_amplify_jobs._fake.state import Store
from pytest_amplify_jobs._fake.wire import FakeRequest, NotServed, answer

__all__ = ["FakeServer"]


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as botocore's connection pool expects

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        store = self.server.store
        with store.lock:
            try:
                result = answer(store, self.command, self.path, body)
                status, headers, payload = result.status, result.headers, result.body
                request = result.request
            except NotServed as error:
                payload = _wire.error_body(str(error))
                status = 400
                headers = {
                    "content-type": "application/json",
                    "content-length": str(len(payload)),
                    "x-amzn-errortype": "BadRequestException:",
                }
                request = FakeRequest(
                    error.operation or "?", self.command, self.path, {}, 400, "NotServed"
                )
            self.server.log.append(request)
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() != "connection":
                self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

    def log_message(self, format: str, *args: Any) -> None:
        return None  # the fake's own request log is the record


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, store: Store, log: list[FakeRequest]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.store = store
        self.log = log


class FakeServer:
    """A running HTTP endpoint for a store; :meth:`close` stops it (idempotent).

    ``log`` receives every request answered, like ``FakeListJobs.requests``.
    """

    def __init__(self, store: Store, log: list[FakeRequest]) -> None:
        self._server = _Server(store, log)
        host, port = self._server.server_address[:2]
        self.url = f"http://{host!s}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="pytest-amplify-jobs-fake",
            daemon=True,
        )
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
