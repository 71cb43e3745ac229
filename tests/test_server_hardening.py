"""Server mode on the wire: only what it should answer, hostile input, load, clean stops.

The in-process fake answers every Amplify client of this process itself (modes are
process-wide), so the traffic here comes from raw sockets, ``http.client`` and child processes
with their own boto3 clients: what really reaches the endpoint.
"""

from __future__ import annotations

import contextlib
import http.client
import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_amplify_jobs import AmplifyFake, fake_amplify, validate_job_history
from pytest_amplify_jobs._fake import server as server_module
from pytest_amplify_jobs._fake.server import MAX_BODY_BYTES, READ_TIMEOUT, FakeServer

APP, BRANCH = "d1fakeapp2345", "main"
VARIABLE = "AWS_ENDPOINT_URL_AMPLIFY"
JOBS = f"/apps/{APP}/branches/{BRANCH}/jobs"
# Sockets on, connections to 127.0.0.1 only (the suite runs with --disable-socket).
pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]
STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3}) ")


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[AmplifyFake]:
    """An active fake with one repository-connected branch (3 finished jobs), served over HTTP
    with a read timeout short enough for tests."""
    monkeypatch.delenv(VARIABLE, raising=False)
    monkeypatch.setattr(server_module, "READ_TIMEOUT", 0.5)
    with fake_amplify(seed=3) as fake:
        fake.add_branch(APP, BRANCH, jobs=3, finished=True)
        fake.serve()
        yield fake


def parts(url: str) -> tuple[int, str]:
    """The port and the secret path prefix (``/<secret>``) of a served URL."""
    split = urllib.parse.urlsplit(url)
    assert split.hostname == "127.0.0.1" and split.port is not None
    return split.port, split.path


def request(
    url: str, method: str, path: str, body: bytes | None = None, **headers: str
) -> tuple[int, http.client.HTTPMessage, dict[str, Any]]:
    """One request on a fresh connection, ``path`` after the secret: status, headers, JSON."""
    port, prefix = parts(url)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request(method, prefix + path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        return response.status, response.headers, json.loads(payload) if payload else {}
    finally:
        connection.close()


def exchange(port: int, data: bytes, *, timeout: float = 5.0, half_close: bool = True) -> bytes:
    """Send raw bytes (then end our side, unless ``half_close`` is False) and read until the
    server closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                chunks.append(chunk)
    return b"".join(chunks)


def statuses(raw: bytes) -> list[int]:
    return [int(code) for code in STATUS_LINE.findall(raw)]


def json_of(raw: bytes) -> dict[str, Any]:
    """The JSON body of the first answer in ``raw``."""
    head, _, rest = raw.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))  # type: ignore[union-attr]
    result: dict[str, Any] = json.loads(rest[:length])
    return result


def listed_ids(fake: AmplifyFake) -> list[str]:
    return [job["jobId"] for job in fake.history(APP, BRANCH)]


def assert_still_serving(fake: AmplifyFake) -> None:
    status, _, body = request(fake.serve(), "GET", JOBS)
    assert status == 200 and body["jobSummaries"], body


def raw_errors(fake: AmplifyFake) -> list[str]:
    server = fake._server
    assert server is not None
    return server.errors


# ------------------------------------------------------------ only what it should, while it should


def test_bound_to_127_0_0_1_only_behind_a_per_fake_secret(served: AmplifyFake) -> None:
    url = served.serve()
    port, prefix = parts(url)
    assert re.fullmatch(r"/[A-Za-z0-9_-]{22}", prefix), url
    server = served._server
    assert server is not None and server._server.socket.getsockname() == ("127.0.0.1", port)
    assert server.url == url and os.environ[VARIABLE] == url
    with fake_amplify() as other:
        assert parts(other.serve())[1] != prefix  # each fake its own secret


@pytest.mark.allow_hosts(["127.0.0.1", "127.0.0.2"])
def test_another_loopback_address_is_refused(served: AmplifyFake) -> None:
    port, _ = parts(served.serve())
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", port), timeout=2).close()


@pytest.mark.parametrize(
    "target",
    [JOBS, f"/wrong-secret{JOBS}", "/", "*", f"http://127.0.0.1{JOBS}", "/%41" + JOBS],
    ids=["no-secret", "wrong-secret", "root", "asterisk", "absolute-form", "escaped"],
)
def test_a_missing_or_wrong_secret_is_a_403_never_answered_from_the_store(
    served: AmplifyFake, target: str, capfd: pytest.CaptureFixture[str]
) -> None:
    port, _ = parts(served.serve())
    body = b'{"jobType":"RELEASE"}'
    raw = exchange(
        port,
        f"POST {target} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body,
    )
    assert statuses(raw) == [403]
    assert b"x-amzn-errortype: AccessDeniedException:" in raw
    message = json_of(raw)["message"]
    assert "is not an endpoint of this pytest-amplify-jobs fake" in message
    assert "use the URL serve() returned" in message
    assert listed_ids(served) == ["3", "2", "1"] and served.requests == []
    assert capfd.readouterr().err == ""


def test_two_fakes_never_answer_each_others_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    with fake_amplify(seed=1) as outer:
        outer.add_branch(APP, BRANCH, jobs=2, finished=True)
        outer_url = outer.serve()
        with fake_amplify(seed=2) as inner:
            inner.add_branch(APP, BRANCH, jobs=5, finished=True)
            inner_url = inner.serve()
            inner_port, _ = parts(inner_url)
            _, outer_secret = parts(outer_url)
            # The outer fake's path on the inner fake's port: refused, not the inner's jobs.
            raw = exchange(inner_port, f"GET {outer_secret}{JOBS} HTTP/1.1\r\n\r\n".encode())
            assert statuses(raw) == [403]
            assert request(outer_url, "GET", JOBS)[2]["jobSummaries"][0]["jobId"] == "2"
            assert request(inner_url, "GET", JOBS)[2]["jobSummaries"][0]["jobId"] == "5"
            assert [r.operation for r in inner.requests] == ["ListJobs"]


def test_serve_on_an_inactive_fake_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match=r"serve\(\) needs an active fake"):
        AmplifyFake().serve()


def test_nothing_is_answered_after_the_fake_exits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    with fake_amplify() as fake:
        fake.add_branch(APP, BRANCH, jobs=1, finished=True)
        url = fake.serve()
        port, prefix = parts(url)
        kept = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        kept.request("GET", prefix + JOBS)
        assert kept.getresponse().read()  # a keep-alive connection, left open
    assert VARIABLE not in os.environ
    with pytest.raises((http.client.HTTPException, OSError)):  # noqa: PT012 - either call fails
        kept.request("GET", prefix + JOBS)
        kept.getresponse()
    kept.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


# ------------------------------------------------------------------------------ hostile input

BAD_JSON_START = b"{not json"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (BAD_JSON_START, "its body is not valid UTF-8 JSON (Expecting property name"),
        (b"\xff\xfe{}", "its body is not valid UTF-8 JSON"),
        (b'["RELEASE"]', "its body is JSON list, not an object"),
        (b"[" * 100_000, "its body is not valid UTF-8 JSON"),
    ],
    ids=["not-json", "not-utf8", "a-list", "nested-too-deep"],
)
def test_a_bad_json_body_is_a_400_bad_request_and_changes_nothing(
    served: AmplifyFake, body: bytes, says: str, capfd: pytest.CaptureFixture[str]
) -> None:
    status, headers, answer = request(served.serve(), "POST", JOBS, body)
    assert status == 400 and headers["x-amzn-errortype"] == "BadRequestException:"
    assert answer["message"].startswith("StartJob request refused: ") and says in answer["message"]
    assert listed_ids(served) == ["3", "2", "1"]
    assert [(r.operation, r.status) for r in served.requests] == [("StartJob", 400)]
    assert raw_errors(served) == [] and capfd.readouterr().err == ""


def test_a_query_value_int_cannot_read_is_a_400(served: AmplifyFake) -> None:
    status, _, answer = request(served.serve(), "GET", f"{JOBS}?maxResults={'9' * 5000}")
    # Python >= 3.11 (and 3.10.7) refuses int() of that many digits: the fake says so. Before,
    # the number is read, and the service's check of maxResults refuses it.
    assert status == 400 and answer["message"].startswith(
        ("ListJobs request refused: it cannot be read", "maxResults")
    )
    assert raw_errors(served) == []


@pytest.mark.parametrize(
    ("method", "path"),
    [("PATCH", JOBS), ("BREW", JOBS), ("GET", "/nothing/here"), ("HEAD", JOBS)],
)
def test_a_wrong_method_or_path_is_a_400_naming_what_is_served(
    served: AmplifyFake, method: str, path: str
) -> None:
    port, prefix = parts(served.serve())
    raw = exchange(port, f"{method} {prefix}{path} HTTP/1.1\r\nContent-Length: 0\r\n\r\n".encode())
    assert statuses(raw) == [400]
    if method != "HEAD":  # a HEAD answer has headers only
        assert "the pytest-amplify-jobs fake serves ListJobs, GetJob" in json_of(raw)["message"]
    assert_still_serving(served)


def _post(prefix: str, headers: str, body: bytes = b"") -> bytes:
    return f"POST {prefix}{JOBS} HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode() + body


@pytest.mark.parametrize(
    ("make", "status", "says"),
    [
        (lambda p: b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400, "Bad request"),
        (lambda p: b"GET\r\n\r\n", 400, "Bad request syntax"),
        (lambda p: f"GET {p}{JOBS}\r\n\r\n".encode(), 400, "names no HTTP version"),
        (lambda p: f"GET {p}{JOBS} HTTP/2.0\r\n\r\n".encode(), 505, "Invalid HTTP version"),
        (
            lambda p: b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
            414,
            "URI Too Long",
        ),  # "Request-URI" before 3.13
        (
            lambda p: (
                f"GET {p}{JOBS} HTTP/1.1\r\n".encode()
                + b"".join(b"X-%d: 1\r\n" % i for i in range(101))
                + b"\r\n"
            ),
            431,
            "Too many headers",
        ),
        (
            lambda p: f"GET {p}{JOBS} HTTP/1.1\r\nX-Big: ".encode() + b"a" * 70_000 + b"\r\n\r\n",
            431,
            "Line too long",
        ),
        (lambda p: _post(p, ""), 411, "a POST needs a Content-Length"),
        (lambda p: _post(p, "Transfer-Encoding: chunked\r\n"), 411, "not Transfer-Encoding"),
        (lambda p: _post(p, "Content-Length: -1\r\n"), 400, "one whole number of bytes"),
        (lambda p: _post(p, "Content-Length: 2\r\nContent-Length: 3\r\n"), 400, "2, 3"),
        (lambda p: _post(p, "Content-Length: 20000000\r\n"), 413, "at most 6291456 bytes"),
    ],
    ids=[
        "tls-hello",
        "one-word",
        "http-0.9",
        "http-2",
        "long-request-line",
        "header-flood",
        "long-header-line",
        "no-content-length",
        "chunked",
        "negative-length",
        "two-lengths",
        "20-mb-body",
    ],
)
def test_a_malformed_request_gets_a_plain_http_error_and_the_server_serves_on(
    served: AmplifyFake, make: Any, status: int, says: str, capfd: pytest.CaptureFixture[str]
) -> None:
    port, prefix = parts(served.serve())
    raw = exchange(port, make(prefix))
    assert statuses(raw) == [status], raw[:300]
    assert b"connection: close" in raw.lower()
    assert says in json_of(raw)["message"]
    assert listed_ids(served) == ["3", "2", "1"] and served.requests == []
    assert_still_serving(served)
    assert raw_errors(served) == [] and capfd.readouterr().err == ""


def test_a_20_mb_body_is_refused_before_it_is_sent(served: AmplifyFake) -> None:
    # The 413 arrives while the client has sent the headers only: nothing of the body is read.
    port, prefix = parts(served.serve())
    assert MAX_BODY_BYTES == 6 * 2**20 and READ_TIMEOUT == 30.0
    for expect in ("", "Expect: 100-continue\r\n"):
        head = _post(prefix, f"Content-Length: {20 * 10**6}\r\n{expect}")
        started = time.monotonic()
        raw = exchange(port, head, half_close=False)
        assert statuses(raw) == [413] and time.monotonic() - started < 0.5
    assert listed_ids(served) == ["3", "2", "1"]


def test_expect_100_continue_is_honoured_for_a_good_request(served: AmplifyFake) -> None:
    port, prefix = parts(served.serve())
    body = b'{"jobType":"RELEASE"}'
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(_post(prefix, f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n"))
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n")
        sock.sendall(body)
        sock.shutdown(socket.SHUT_WR)
        raw = b"".join(iter(lambda: sock.recv(65536), b""))
    assert statuses(raw) == [200] and listed_ids(served)[0] == "4"


def test_a_stalled_request_times_out_while_others_are_served(
    served: AmplifyFake, capfd: pytest.CaptureFixture[str]
) -> None:
    port, prefix = parts(served.serve())
    body_stalled = _post(prefix, "Content-Length: 100\r\n", b'{"jobType":')
    headers_stalled = f"GET {prefix}{JOBS} HTTP/1.1\r\nHost: x\r\n".encode()
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as body_sock,
        socket.create_connection(("127.0.0.1", port), timeout=5) as head_sock,
    ):
        started = time.monotonic()
        body_sock.sendall(body_stalled)
        head_sock.sendall(headers_stalled)
        assert_still_serving(served)  # meanwhile
        raw = b"".join(iter(lambda: body_sock.recv(65536), b""))
        assert statuses(raw) == [408] and "did not arrive within 0.5 s" in json_of(raw)["message"]
        assert head_sock.recv(100) == b""  # dropped: no request was whole
        assert 0.4 < time.monotonic() - started < 2.5
    assert listed_ids(served) == ["3", "2", "1"]
    assert raw_errors(served) == [] and capfd.readouterr().err == ""


def test_a_body_cut_short_is_dropped_quietly(served: AmplifyFake) -> None:
    port, prefix = parts(served.serve())
    raw = exchange(port, _post(prefix, "Content-Length: 100\r\n", b'{"jobType":"RELEASE"}'))
    assert raw == b""  # the client ended its side before the body was whole: nobody to answer
    assert listed_ids(served) == ["3", "2", "1"]


def test_a_body_longer_than_its_content_length_is_the_next_requests_garbage(
    served: AmplifyFake,
) -> None:
    port, prefix = parts(served.serve())
    body = b'{"jobType":"RELEASE"}'
    raw = exchange(
        port, _post(prefix, f"Content-Length: {len(body)}\r\n", body + b'{"jobReason":"x"}\r\n\r\n')
    )
    assert statuses(raw) == [200, 400] and raw.lower().count(b"connection: close") == 1
    assert listed_ids(served) == ["4", "3", "2", "1"]  # the whole request was answered


def test_a_client_that_hangs_up_mid_response_is_forgotten_quietly(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    with fake_amplify(seed=5) as fake:
        fake.add_branch(APP, BRANCH, jobs=100, finished=True)
        port, prefix = parts(fake.serve())
        for _ in range(20):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
            sock.sendall(f"GET {prefix}{JOBS}?maxResults=100 HTTP/1.1\r\n\r\n".encode())
            sock.recv(10)
            # A reset rather than a polite close: the server's next write fails.
            sock.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            sock.close()
        assert_still_serving(fake)
        assert raw_errors(fake) == []
    assert capfd.readouterr().err == ""


# ---------------------------------------------------------------------------------- the fuzz

METHODS = ["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS", "BREW", "", "G\x00T", "é"]
SEGMENTS = [
    "apps",
    APP,
    "branches",
    BRANCH,
    "jobs",
    "1",
    "4",
    "d1other",
    "%2F",
    "%zz",
    "%ff",
    "..",
    "%00",
    "ü",
    "a+b",
    "",
]
QUERIES = ["", "?maxResults=1", "?maxResults=-1", "?maxResults=abc", "?nextToken=%ff", "?x"]
BODIES = [
    b'{"jobType":"RELEASE"}',
    BAD_JSON_START,
    b"[]",
    b'"x"',
    b'{"jobType":1}',
    b'{"jobType":"RETRY","jobId":"1"}',
    b'{"jobType":"RELEASE","jobId":"1"}',
    b"{}",
    b"null",
]
ALLOWED = {100, 200, 400, 403, 404, 405, 408, 411, 413, 414, 431, 505}


@st.composite
def raw_requests(draw: st.DrawFn, secret: str) -> bytes:
    method = draw(st.sampled_from(METHODS))
    prefix = draw(st.sampled_from([secret, "", "/not-the-secret", secret + "x", secret.upper()]))
    path = "/" + "/".join(draw(st.lists(st.sampled_from(SEGMENTS), max_size=7)))
    query = draw(st.sampled_from(QUERIES))
    version = draw(st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTP/1.1", "HTTP/1.1 x"]))
    body = draw(st.one_of(st.just(b""), st.sampled_from(BODIES), st.binary(max_size=40)))
    length = draw(
        st.sampled_from(["exact", "none", "abc", "-1", "+3", "longer", "shorter", "twice"])
    )
    headers = {
        "exact": f"Content-Length: {len(body)}\r\n",
        "none": "",
        "abc": "Content-Length: abc\r\n",
        "-1": "Content-Length: -1\r\n",
        "+3": "Content-Length: +3\r\n",
        "longer": f"Content-Length: {len(body) + 5}\r\n",
        "shorter": f"Content-Length: {max(0, len(body) - 2)}\r\n",
        "twice": f"Content-Length: {len(body)}\r\nContent-Length: {len(body) + 1}\r\n",
    }[length]
    extra = draw(
        st.lists(
            st.sampled_from(
                [
                    "Connection: close\r\n",
                    "Connection: keep-alive\r\n",
                    "Expect: 100-continue\r\n",
                    "Transfer-Encoding: chunked\r\n",
                    "Content-Type: application/json\r\n",
                    "no colon here\r\n",
                    " folded\r\n",
                    "X-Amz-Target: Amplify.ListJobs\r\n",
                ]
            ),
            max_size=3,
        )
    )
    head = f"{method} {prefix}{path}{query} {version}\r\n{headers}{''.join(extra)}\r\n"
    return head.encode("utf-8", "surrogateescape") + body


def test_fuzzed_requests_get_an_allowed_status_in_time_and_the_store_stays_coherent(
    served: AmplifyFake, capfd: pytest.CaptureFixture[str]
) -> None:
    served.add_branch(APP, "develop", jobs=2)  # a branch with a build in flight
    port, secret = parts(served.serve())

    @settings(
        max_examples=100,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(data=raw_requests(secret))
    def one_request(data: bytes) -> None:
        started = time.monotonic()
        raw = exchange(port, data, timeout=5)
        assert time.monotonic() - started < 5
        assert set(statuses(raw)) <= ALLOWED, raw[:300]
        assert raw == b"" or raw.startswith(b"HTTP/1.1 "), raw[:100]

    one_request()
    for branch in (BRANCH, "develop"):
        validate_job_history(served.history(APP, branch), app_id=APP, branch_name=branch)
    assert raw_errors(served) == []
    assert_still_serving(served)
    assert capfd.readouterr().err == ""


# ------------------------------------------------------------------------------- clean stops


def test_leaving_with_requests_in_flight_stops_within_a_second_and_frees_everything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    monkeypatch.setenv(VARIABLE, "http://example.invalid")
    before = threading.active_count()
    stop = threading.Event()
    hammer_errors: list[BaseException] = []

    with fake_amplify() as fake:
        fake.add_branch(APP, BRANCH, jobs=3, finished=True)
        url = fake.serve()
        port, prefix = parts(url)

        def hammer() -> None:
            while not stop.is_set():
                try:
                    request(url, "GET", JOBS)
                except (OSError, http.client.HTTPException):
                    return  # the fake left: refused or cut
                except BaseException as error:  # pragma: no cover - reported below
                    hammer_errors.append(error)
                    return

        hammers = [threading.Thread(target=hammer) for _ in range(4)]
        for thread in hammers:
            thread.start()
        idle = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        idle.request("GET", prefix + JOBS)
        idle.getresponse().read()  # kept alive, idle
        stalled = socket.create_connection(("127.0.0.1", port), timeout=5)
        stalled.sendall(_post(prefix, "Content-Length: 50\r\n", b"{"))
        time.sleep(0.2)
        started = time.monotonic()
    stopped = time.monotonic() - started
    stop.set()
    for thread in hammers:
        thread.join(timeout=5)
    idle.close()
    stalled.close()
    assert stopped < 1.0
    assert hammer_errors == []
    assert os.environ[VARIABLE] == "http://example.invalid"
    assert threading.active_count() == before
    assert not [t.name for t in threading.enumerate() if t.name.startswith("pytest-amplify-jobs")]
    # The port is free: a new server binds it at once.
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))


def test_close_is_idempotent_and_ends_within_a_second() -> None:
    before = threading.active_count()
    with fake_amplify() as fake:
        server = FakeServer(fake._store, [], read_timeout=0.5)
        assert repr(server).startswith("<FakeServer serving on 127.0.0.1:")
        port, _ = parts(server.url)
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        time.sleep(0.1)
        started = time.monotonic()
        server.close()
        server.close()
        assert time.monotonic() - started < 1.0 and repr(server) == "<FakeServer closed>"
        sock.close()
    assert threading.active_count() == before


@pytest.mark.parametrize(
    ("keyword", "value"),
    [
        ("read_timeout", 0),
        ("read_timeout", float("inf")),
        ("read_timeout", True),
        ("max_body_bytes", -1),
        ("max_body_bytes", 1.5),
        ("max_body_bytes", False),
    ],
)
def test_bad_limits_name_the_parameter_and_what_is_allowed(keyword: str, value: Any) -> None:
    with fake_amplify() as fake, pytest.raises(ValueError, match=rf"{keyword}=.* is not allowed"):
        FakeServer(fake._store, [], **{keyword: value})


@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread()
    or signal.getsignal(signal.SIGINT) is not signal.default_int_handler,
    reason="needs the main thread and Python's own SIGINT handler",
)
@pytest.mark.parametrize("how", ["raised", "signalled"])
def test_a_keyboard_interrupt_mid_request_still_restores_everything(
    monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    before = threading.active_count()
    main = threading.get_ident()
    with pytest.raises(KeyboardInterrupt):  # noqa: PT012 - the interrupt ends the block
        with fake_amplify() as fake:
            fake.add_branch(APP, BRANCH, jobs=3, finished=True)
            port, prefix = parts(fake.serve())
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            # In flight: the server's thread is reading a body that has not arrived yet.
            sock.sendall(_post(prefix, "Content-Length: 50\r\n", b'{"jobType"'))
            if how == "raised":
                time.sleep(0.1)
                raise KeyboardInterrupt
            threading.Timer(0.2, signal.pthread_kill, (main, signal.SIGINT)).start()
            sock.recv(100)  # blocked waiting for the answer when the signal arrives
    started = time.monotonic()
    sock.close()
    assert VARIABLE not in os.environ
    assert listed_ids(fake) == ["3", "2", "1"]
    deadline = started + 1.0  # the Timer thread of "signalled" ends on its own
    while threading.active_count() != before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() == before
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


# ---------------------------------------------------------------------------------------- load

LOAD_SCRIPT = r"""
import json, random, sys, threading
import boto3, botocore.config
from botocore.exceptions import ClientError
from pytest_amplify_jobs import validate_job_history

url, app, branches, building, rounds = sys.argv[1], sys.argv[2], sys.argv[3].split(","), \
    set(sys.argv[4].split(",")), int(sys.argv[5])
config = botocore.config.Config(retries={"max_attempts": 1})
started = {b: 0 for b in branches}
problems = []
lock = threading.Lock()
barrier = threading.Barrier(16)

session = boto3.session.Session(
    aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")

def client():
    # Created in the main thread (a boto3 session is not thread-safe), one per worker thread.
    return session.client("amplify", endpoint_url=url, config=config)

clients = [client() for _ in range(16)]

def check(branch, jobs):
    ids = [j["jobId"] for j in jobs]
    builds = [j["jobId"] for j in jobs if j["status"] in building]
    try:
        assert len(set(ids)) == len(ids), f"{branch}: duplicate ids {ids}"
        assert len(builds) <= 1, f"{branch}: builds {builds}"
        validate_job_history(jobs, app_id=app, branch_name=branch)
    except Exception as error:
        with lock:
            problems.append(str(error))

def work(seed):
    rng = random.Random(seed)
    c = clients[seed]
    barrier.wait()
    for _ in range(rounds):
        branch = rng.choice(branches)
        where = {"appId": app, "branchName": branch}
        try:
            job = c.start_job(jobType="RELEASE", **where)["jobSummary"]
            with lock:
                started[branch] += 1
            c.get_job(jobId=job["jobId"], **where)
            check(branch, c.list_jobs(maxResults=50, **where)["jobSummaries"])
            c.get_branch(**where)
            if rng.random() < 0.4:
                try:
                    c.stop_job(jobId=job["jobId"], **where)
                except ClientError as error:
                    if "has already finished" not in error.response["Error"]["Message"]:
                        raise
        except Exception as error:
            with lock:
                problems.append(f"{type(error).__name__}: {error}")

threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
for t in threads:
    t.start()
for t in threads:
    t.join()
c = client()
totals = {b: int(c.get_branch(appId=app, branchName=b)["branch"]["totalNumberOfJobs"])
          for b in branches}
print(json.dumps({"started": started, "problems": problems, "totals": totals}))
"""

ASYNC_SCRIPT = r"""
import asyncio, json, sys
import aiobotocore.session, botocore.config

url, app, branches = sys.argv[1], sys.argv[2], sys.argv[3].split(",")

async def main():
    session = aiobotocore.session.get_session()
    config = botocore.config.Config(retries={"max_attempts": 1})
    async with session.create_client(
        "amplify", endpoint_url=url, region_name="us-east-1", config=config,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    ) as c:
        calls = [c.start_job(appId=app, branchName=branches[i % len(branches)], jobType="RELEASE")
                 for i in range(16)]
        started = await asyncio.gather(*calls)
        listed = await asyncio.gather(*[
            c.list_jobs(appId=app, branchName=b, maxResults=50) for b in branches])
    print(json.dumps({
        "started": [s["jobSummary"]["jobId"] for s in started],
        "listed": {b: [j["jobId"] for j in page["jobSummaries"]]
                   for b, page in zip(branches, listed)},
    }))

asyncio.run(main())
"""

BRANCHES = ["main", "develop", "feature-a", "feature-b"]
INITIAL = 3


def child(script: str, *args: str) -> dict[str, Any]:
    env = {
        **os.environ,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    env.pop(VARIABLE, None)  # the endpoint is given explicitly
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.fixture
def load_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[AmplifyFake]:
    monkeypatch.delenv(VARIABLE, raising=False)
    with fake_amplify(seed=7) as fake:
        for branch in BRANCHES:
            fake.add_branch(APP, branch, jobs=INITIAL, finished=True)
        fake.serve()
        yield fake


def assert_dense_and_coherent(fake: AmplifyFake, started: dict[str, int]) -> None:
    for branch in BRANCHES:
        history = fake.history(APP, branch)
        total = INITIAL + started[branch]
        assert [job["jobId"] for job in history] == [str(i) for i in range(total, 0, -1)]
        validate_job_history(history, app_id=APP, branch_name=branch)


def test_16_boto3_clients_at_once_lose_no_update_and_see_a_coherent_store(
    load_fake: AmplifyFake,
) -> None:
    from pytest_amplify_jobs import _model

    building = ",".join(_model.model().building_statuses)
    result = child(LOAD_SCRIPT, load_fake.serve(), APP, ",".join(BRANCHES), building, "4")
    assert result["problems"] == []
    started = result["started"]
    assert sum(started.values()) == 16 * 4
    assert result["totals"] == {b: INITIAL + started[b] for b in BRANCHES}
    assert_dense_and_coherent(load_fake, started)
    assert raw_errors(load_fake) == []


@pytest.mark.skipif(
    importlib.util.find_spec("aiobotocore") is None,
    reason="aiobotocore is not installed (it is in the nox async sessions only)",
)
def test_an_aiobotocore_gather_of_16_calls_loses_no_update(load_fake: AmplifyFake) -> None:
    result = child(ASYNC_SCRIPT, load_fake.serve(), APP, ",".join(BRANCHES))
    started = {b: 16 // len(BRANCHES) for b in BRANCHES}
    assert sorted(result["started"], key=int) == sorted(
        [str(INITIAL + 1 + i) for i in range(4)] * 4, key=int
    )
    assert_dense_and_coherent(load_fake, started)
    for branch, ids in result["listed"].items():
        assert ids == [str(i) for i in range(INITIAL + started[branch], 0, -1)]


XDIST_TESTS = """
import http.client, json, os, pathlib, time, urllib.parse
import pytest
from pytest_amplify_jobs import fake_amplify

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

@pytest.mark.parametrize("n", range(4))
def test_own_fake_and_port(n):
    with fake_amplify(seed=n) as fake:
        fake.add_branch("d1abc", "main", jobs=n + 1, finished=True)
        split = urllib.parse.urlsplit(fake.serve())
        connection = http.client.HTTPConnection("127.0.0.1", split.port, timeout=5)
        for _ in range(5):
            connection.request("GET", split.path + "/apps/d1abc/branches/main/jobs")
            page = json.loads(connection.getresponse().read())
            assert [j["jobId"] for j in page["jobSummaries"]][0] == str(n + 1)
            time.sleep(0.01)
        connection.close()
        out = pathlib.Path(os.environ["PORTS_DIR"]) / f"{n}-{os.environ['PYTEST_XDIST_WORKER']}"
        out.write_text(str(split.port))
"""


@pytest.mark.slow
def test_under_xdist_each_worker_serves_its_own_fake_on_its_own_port(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("xdist")
    ports_dir = pytester.mkdir("ports")
    monkeypatch.setenv("PORTS_DIR", str(ports_dir))
    monkeypatch.delenv(VARIABLE, raising=False)
    pytester.makepyfile(test_served=XDIST_TESTS)
    result = pytester.runpytest_subprocess("-n", "4", "-p", "no:randomly", "--disable-socket")
    result.assert_outcomes(passed=4)
    written = {path.name: int(path.read_text()) for path in ports_dir.iterdir()}
    assert len(written) == 4 and len(set(written.values())) == 4
    assert len({name.split("-", 1)[1] for name in written}) > 1  # more than one worker served
