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
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import botocore.session
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_amplify_jobs import AmplifyFake, _model, fake_amplify, validate_job_history
from pytest_amplify_jobs._fake import server as server_module
from pytest_amplify_jobs._fake.server import MAX_BODY_BYTES, READ_TIMEOUT, FakeServer
from tests.helpers import trickle

APP, BRANCH = "d1fakeapp2345", "main"
VARIABLE = "AWS_ENDPOINT_URL_AMPLIFY"
JOBS = f"/apps/{APP}/branches/{BRANCH}/jobs"
# Sockets on, connections to 127.0.0.1 only (the suite runs with --disable-socket);
# allow_hosts alone: pytest-socket ignores it on a test also marked enable_socket.
pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
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


def test_these_tests_reach_127_0_0_1_and_no_other_host(served: AmplifyFake) -> None:
    # The module's allow_hosts marker holds (it would not beside an enable_socket marker).
    from pytest_socket import SocketConnectBlockedError

    assert_still_serving(served)
    for host in ("127.0.0.2", "10.255.255.1"):
        with warnings.catch_warnings():
            # pytest-socket 0.8 warns before it raises; 0.7 (the lower bound) only raises.
            warnings.simplefilter("ignore", UserWarning)
            with socket.socket() as sock:  # closed: pytest-socket 0.7 leaves it open
                sock.settimeout(0.5)
                with pytest.raises(SocketConnectBlockedError, match=f'with host "{host}"'):
                    sock.connect((host, parts(served.serve())[0]))


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
        (lambda p: f"GET {p}{JOBS} HTTP/0.9\r\n\r\n".encode(), 505, "'HTTP/0.9' is not served"),
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
        "http-0.9-named",
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
        assert (
            statuses(raw) == [408]
            and "body (Content-Length=100) did not arrive within 0.5 s" in json_of(raw)["message"]
        )
        raw = b"".join(iter(lambda: head_sock.recv(65536), b""))
        assert (
            statuses(raw) == [408]
            and "headers did not arrive within 0.5 s" in json_of(raw)["message"]
        )
        assert 0.4 < time.monotonic() - started < 2.5
    assert listed_ids(served) == ["3", "2", "1"]
    assert raw_errors(served) == [] and capfd.readouterr().err == ""


HUGE = "9" * 5000  # more digits than int() reads (4300): the length must not be int()-ed


@pytest.mark.parametrize("expect", ["", "Expect: 100-continue\r\n"], ids=["plain", "expect-100"])
def test_a_content_length_of_thousands_of_digits_is_a_413_and_no_error_of_the_fake(
    served: AmplifyFake, expect: str, capfd: pytest.CaptureFixture[str]
) -> None:
    port, prefix = parts(served.serve())
    started = time.monotonic()
    raw = exchange(port, _post(prefix, f"Content-Length: {HUGE}\r\n{expect}"), half_close=False)
    assert statuses(raw) == [413] and time.monotonic() - started < 1.0
    message = json_of(raw)["message"]
    assert message.startswith("413 Content Too Large: Content-Length='99999")
    assert "(len 5000); an API request body may have at most 6291456 bytes" in message
    assert len(message) < 200  # the value is cut, not echoed whole
    assert raw_errors(served) == [] and "server error" not in served.report()
    assert listed_ids(served) == ["3", "2", "1"]
    assert_still_serving(served)
    assert capfd.readouterr().err == ""


def test_a_length_of_thousands_of_leading_zeros_is_the_small_number_it_names(
    served: AmplifyFake,
) -> None:
    port, prefix = parts(served.serve())
    body = b'{"jobType":"RELEASE"}'
    raw = exchange(port, _post(prefix, f"Content-Length: {'0' * 5000}{len(body)}\r\n", body))
    assert statuses(raw) == [200]
    assert listed_ids(served) == ["4", "3", "2", "1"] and raw_errors(served) == []


def test_the_same_content_length_twice_is_one_length(served: AmplifyFake) -> None:
    port, prefix = parts(served.serve())
    body = b'{"jobType":"RELEASE"}'
    twice = f"Content-Length: {len(body)}\r\n" * 2
    assert statuses(exchange(port, _post(prefix, twice, body))) == [200]


@pytest.mark.parametrize("part", ["headers", "body"])
def test_a_request_trickling_in_gets_a_408_at_its_deadline_not_per_read(
    served: AmplifyFake, part: str, capfd: pytest.CaptureFixture[str]
) -> None:
    # A byte every 0.1 s never lets one read wait the read timeout (0.5 s): only a deadline for
    # the whole request ends it.
    port, prefix = parts(served.serve())
    body = b'{"jobType":"RELEASE","jobReason":"' + b"x" * 100 + b'"}'
    head = _post(prefix, f"Content-Length: {len(body)}\r\nX-Padding: {'p' * 100}\r\n")
    started = time.monotonic()
    # Either the whole request a byte at a time, or its headers at once and its body so.
    raw = trickle(port, head + body) if part == "headers" else trickle(port, body, at_once=head)
    took = time.monotonic() - started
    assert statuses(raw) == [408], raw[:300]
    assert 0.4 < took < 1.5, took
    awaited = (
        "the request line and headers"
        if part == "headers"
        else f"the body (Content-Length={len(body)})"
    )
    assert json_of(raw)["message"] == (
        f"408 Request Timeout: {awaited} did not arrive within 0.5 s of the request's first "
        "byte (the read timeout: a request must arrive whole within it)"
    )
    assert b"x-amzn-errortype: RequestTimeoutException:" in raw
    assert listed_ids(served) == ["3", "2", "1"] and served.requests == []
    assert raw_errors(served) == [] and capfd.readouterr().err == ""


def test_an_idle_keep_alive_connection_is_closed_without_an_answer(served: AmplifyFake) -> None:
    port, prefix = parts(served.serve())
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", prefix + JOBS)
        response = connection.getresponse()
        assert response.status == 200 and response.read()  # whole: the connection is idle
        assert connection.sock is not None
        started = time.monotonic()
        assert connection.sock.recv(100) == b""  # closed by the server, nothing sent
        assert 0.4 < time.monotonic() - started < 1.5
    finally:
        connection.close()


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
# The Content-Length headers of a request, from its body's length: none, one or several values.
LENGTHS: dict[str, Callable[[int], list[str]]] = {
    "exact": lambda n: [str(n)],
    "none": lambda n: [],
    "abc": lambda n: ["abc"],
    "-1": lambda n: ["-1"],
    "+3": lambda n: ["+3"],
    "longer": lambda n: [str(n + 5)],
    "shorter": lambda n: [str(max(0, n - 2))],
    "twice": lambda n: [str(n), str(n + 1)],
    "same-twice": lambda n: [str(n), str(n)],
    "thousands-of-digits": lambda n: ["9" * 5000],
    "leading-zeros": lambda n: ["0" * 5000 + str(n)],
    "over-the-limit": lambda n: [str(MAX_BODY_BYTES + 1)],
    "a-float": lambda n: [f"{n}.0"],
    "hex": lambda n: [hex(n)],
    "a-list": lambda n: [f"{n}, {n}"],
    "unicode-digits": lambda n: ["\u0663"],  # ARABIC-INDIC DIGIT THREE: str.isdigit() says yes
    "empty": lambda n: [""],
}


@st.composite
def raw_requests(draw: st.DrawFn, secret: str) -> bytes:
    method = draw(st.sampled_from(METHODS))
    prefix = draw(st.sampled_from([secret, "", "/not-the-secret", secret + "x", secret.upper()]))
    path = "/" + "/".join(draw(st.lists(st.sampled_from(SEGMENTS), max_size=7)))
    query = draw(st.sampled_from(QUERIES))
    version = draw(
        st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "HTP/1.1", "HTTP/1.1 x"])
    )
    body = draw(st.one_of(st.just(b""), st.sampled_from(BODIES), st.binary(max_size=40)))
    length = draw(st.sampled_from(list(LENGTHS)))  # "exact" first: what it shrinks to
    headers = "".join(f"Content-Length: {value}\r\n" for value in LENGTHS[length](len(body)))
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

# What one client does, for both drivers below: a generator that yields each call, as
# ("Operation", params) or ("PUT", url, body), and is sent its answer (a ClientError is thrown
# into it). It runs in a child process: this process's own clients are answered in-process.
WORKLOAD = r"""
import json, random, sys, threading, urllib.request
from botocore import xform_name
from botocore.exceptions import ClientError
from pytest_amplify_jobs import validate_job_history, validate_response

args = json.loads(sys.argv[1])
url, app, manual, shared = args["url"], args["app"], args["manual"], args["branches"]
building, finished = set(args["building"]), set(args["finished"])
clients, rounds = args["clients"], args["rounds"]
lock = threading.Lock()
problems, called = [], set()
started = {b: 0 for b in shared}  # StartJob answered on each shared branch
left = {}  # app id -> what its client expects it to hold at the end
ZIP = b"PK\x05\x06" + bytes(18)  # an empty zip file


def problem(text):
    with lock:
        problems.append(text)


def answered(operation, response):
    validate_response(operation, response)  # every answer must be valid for the service
    with lock:
        called.add(operation)
    return response


def put(target, body):
    request = urllib.request.Request(target, data=body, method="PUT")
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200, answer.status


def coherent(where, jobs):
    ids = [j["jobId"] for j in jobs]
    builds = [j["jobId"] for j in jobs if j["status"] in building]
    try:
        assert len(set(ids)) == len(ids), f"duplicate ids {ids}"
        assert len(builds) <= 1, f"builds {builds}"
        validate_job_history(jobs, app_id=where["appId"], branch_name=where["branchName"])
    except Exception as error:
        problem(f"{where}: {error}")


def to_the_end(where, job_id):
    # Observing calls move a started job one step each: PENDING, RUNNING, then its end.
    for _ in range(10):
        got = yield "GetJob", {"jobId": job_id, **where}
        if got["job"]["summary"]["status"] in finished:
            return got["job"]["summary"]["status"]
    problem(f"{where} job {job_id} never finished")


def shared_jobs(rng):
    branch = rng.choice(shared)
    where = {"appId": app, "branchName": branch}
    job = (yield "StartJob", {"jobType": "RELEASE", **where})["jobSummary"]
    with lock:
        started[branch] += 1
    if rng.random() < 0.5:
        try:
            yield "StopJob", {"jobId": job["jobId"], **where}
        except ClientError as error:  # others' calls may have moved it to its end meanwhile
            if "has already finished" not in error.response["Error"]["Message"]:
                raise
    yield "GetJob", {"jobId": job["jobId"], **where}
    coherent(where, (yield "ListJobs", {"maxResults": 50, **where})["jobSummaries"])
    yield "GetBranch", where
    yield "ListApps", {"maxResults": 5}
    yield "GetApp", {"appId": app}
    yield "ListBranches", {"appId": app}


def own_resources(i, r, own, arn, mine):
    name = f"b{r}"
    yield "CreateBranch", {"appId": own, "branchName": name}
    yield "UpdateBranch", {"appId": own, "branchName": name, "stage": "BETA"}
    hook = (yield "CreateWebhook", {"appId": own, "branchName": name})["webhook"]["webhookId"]
    yield "GetWebhook", {"webhookId": hook}
    yield "UpdateWebhook", {"webhookId": hook, "description": f"round {r}"}
    yield "ListWebhooks", {"appId": own}
    env = {"appId": own, "environmentName": f"env{r}"}
    yield "CreateBackendEnvironment", env
    yield "GetBackendEnvironment", env
    yield "ListBackendEnvironments", {"appId": own}
    domain = {"appId": own, "domainName": f"t{i}r{r}.example.com"}
    settings = [{"prefix": "www", "branchName": name}]
    yield "CreateDomainAssociation", {"subDomainSettings": settings, **domain}
    yield "GetDomainAssociation", domain
    yield "UpdateDomainAssociation", {"subDomainSettings": settings, **domain}
    yield "ListDomainAssociations", {"appId": own}
    yield "GenerateAccessLogs", domain
    yield "TagResource", {"resourceArn": arn, "tags": {f"k{r}": "v"}}
    yield "ListTagsForResource", {"resourceArn": arn}
    if (i + r) % 2:  # every other client and round takes its round's resources away again
        yield "DeleteDomainAssociation", domain
        yield "DeleteWebhook", {"webhookId": hook}
        yield "DeleteBackendEnvironment", env
        yield "UntagResource", {"resourceArn": arn, "tagKeys": [f"k{r}"]}
        yield "DeleteBranch", {"appId": own, "branchName": name}
    else:
        mine["branches"].append(name)
        mine["webhooks"] += 1
        mine["environments"].append(env["environmentName"])
        mine["domains"].append(domain["domainName"])
        mine["tags"][f"k{r}"] = "v"


def own_build(i, r, own, mine):
    where = {"appId": own, "branchName": "work"}
    job_id = (yield "StartJob", {"jobType": "RELEASE", **where})["jobSummary"]["jobId"]
    if (yield from to_the_end(where, job_id)) == "SUCCEED":
        listed = (yield "ListArtifacts", {"jobId": job_id, **where})["artifacts"]
        for artifact in listed:
            yield "GetArtifactUrl", {"artifactId": artifact["artifactId"]}
    if (i + r) % 2:
        yield "DeleteJob", {"jobId": job_id, **where}
    else:
        mine["work"].insert(0, job_id)


def deploy(i):
    where = {"appId": manual, "branchName": f"t{i}"}
    created = yield "CreateDeployment", where
    yield "PUT", created["zipUploadUrl"], ZIP
    yield "StartDeployment", {"jobId": created["jobId"], **where}
    yield from to_the_end(where, created["jobId"])


def workload(i):
    rng = random.Random(i)
    mine = {"branches": ["work"], "webhooks": 0, "environments": [], "domains": [],
            "tags": {}, "work": []}
    repository = f"https://github.com/o/r{i}"
    own_app = (yield "CreateApp", {"name": f"load-{i}", "repository": repository})["app"]
    own, arn = own_app["appId"], own_app["appArn"]
    yield "UpdateApp", {"appId": own, "description": f"client {i}"}
    yield "CreateBranch", {"appId": own, "branchName": "work"}
    yield "CreateBranch", {"appId": manual, "branchName": f"t{i}"}
    for r in range(rounds):
        yield from shared_jobs(rng)
        yield from own_resources(i, r, own, arn, mine)
        yield from own_build(i, r, own, mine)
        yield from deploy(i)
    if i % 4 == 3:
        yield "DeleteApp", {"appId": own}
    else:
        with lock:
            left[own] = mine


def report():
    print(json.dumps({"started": started, "problems": problems, "called": sorted(called),
                      "left": left}))
"""

# 16 threads of one process, each with its own boto3 client, started at once.
THREADED_DRIVER = r"""
import boto3, botocore.config

config = botocore.config.Config(retries={"max_attempts": 1})
session = boto3.session.Session(
    aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
# Created in the main thread (a boto3 session is not thread-safe), one per thread.
amplify = [session.client("amplify", endpoint_url=url, config=config) for _ in range(clients)]
barrier = threading.Barrier(clients)


def drive(i):
    client, steps = amplify[i], workload(i)
    barrier.wait()
    answer, error = None, None
    try:
        while True:
            step = steps.throw(error) if error else steps.send(answer)
            answer, error = None, None
            try:
                if step[0] == "PUT":
                    put(*step[1:])
                else:
                    operation, params = step
                    response = getattr(client, xform_name(operation))(**params)
                    answer = answered(operation, response)
            except ClientError as refused:
                error = refused
    except StopIteration:
        pass
    except Exception as error:
        problem(f"client {i}: {type(error).__name__}: {error}")


threads = [threading.Thread(target=drive, args=(i,)) for i in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
report()
"""

# One aiobotocore client, 16 workloads gathered on it.
ASYNC_DRIVER = r"""
import asyncio
import aiobotocore.session, botocore.config


async def drive(client, i):
    steps = workload(i)
    answer, error = None, None
    try:
        while True:
            step = steps.throw(error) if error else steps.send(answer)
            answer, error = None, None
            try:
                if step[0] == "PUT":
                    await asyncio.to_thread(put, *step[1:])
                else:
                    operation, params = step
                    response = await getattr(client, xform_name(operation))(**params)
                    answer = answered(operation, response)
            except ClientError as refused:
                error = refused
    except StopIteration:
        pass
    except Exception as error:
        problem(f"client {i}: {type(error).__name__}: {error}")


async def main():
    config = botocore.config.Config(retries={"max_attempts": 1}, max_pool_connections=clients)
    async with aiobotocore.session.get_session().create_client(
        "amplify", endpoint_url=url, region_name="us-east-1", config=config,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    ) as client:
        await asyncio.gather(*(drive(client, i) for i in range(clients)))


asyncio.run(main())
report()
"""

BRANCHES = ["main", "develop", "feature-a", "feature-b"]
INITIAL = 3
MANUAL = "d1manualapp01"  # deployments: an app without a repository
CLIENTS, ROUNDS = 16, 1


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
        fake.add_app(MANUAL, kind="manual")
        fake.serve()
        yield fake


def run_load(fake: AmplifyFake, driver: str) -> dict[str, Any]:
    """The workload of :data:`WORKLOAD` for ``CLIENTS`` clients at once, through ``driver``."""
    model = _model.model()
    arguments = {
        "url": fake.serve(),
        "app": APP,
        "manual": MANUAL,
        "branches": BRANCHES,
        "building": list(model.building_statuses),
        "finished": list(model.finished_statuses),
        "clients": CLIENTS,
        "rounds": ROUNDS,
    }
    return child(WORKLOAD + driver, json.dumps(arguments))


def assert_no_update_lost(fake: AmplifyFake, result: dict[str, Any]) -> None:
    """Every answer was valid and every operation called; the store is coherent and holds
    exactly what the calls made."""
    model = _model.model()
    assert result["problems"] == []
    assert result["called"] == sorted(_model.operation_names())  # all 37, concurrently
    started = result["started"]
    assert sum(started.values()) == CLIENTS * ROUNDS
    building = set(model.building_statuses)
    # The shared branches: job ids unique and dense, one build at most, a coherent history.
    for branch in BRANCHES:
        history = fake.history(APP, branch)
        total = INITIAL + started[branch]
        assert [job["jobId"] for job in history] == [str(i) for i in range(total, 0, -1)]
        assert len([job for job in history if job["status"] in building]) <= 1
        validate_job_history(history, app_id=APP, branch_name=branch)
        assert fake.branch_info(APP, branch)["totalNumberOfJobs"] == str(total)
    # One deployment a round on each client's branch of the manual app, its zip uploaded.
    for i in range(CLIENTS):
        history = fake.history(MANUAL, f"t{i}")
        assert [job["jobId"] for job in history] == [str(n) for n in range(ROUNDS, 0, -1)]
        assert {job["status"] for job in history} <= set(model.finished_statuses)
        validate_job_history(history, app_id=MANUAL, branch_name=f"t{i}")
    assert len(fake.uploads) == CLIENTS * ROUNDS
    # Each client's own app holds what its calls left there, no more, no less; every fourth
    # client deleted its app.
    left = result["left"]
    assert len(left) == CLIENTS - CLIENTS // 4
    assert sorted(a["appId"] for a in fake.apps()) == sorted([APP, MANUAL, *left])
    # An in-process client, answered by the fake in-process (the served URL is not needed).
    client: Any = botocore.session.get_session().create_client(
        "amplify", region_name="us-east-1", endpoint_url="https://amplify.us-east-1.amazonaws.com"
    )
    for own, expected in left.items():
        work = fake.history(own, "work")
        assert [job["jobId"] for job in work] == expected["work"]  # the deleted ones gone
        validate_job_history(work, app_id=own, branch_name="work")
        arn = next(a["appArn"] for a in fake.apps() if a["appId"] == own)
        seen = {
            "branches": [b["branchName"] for b in client.list_branches(appId=own)["branches"]],
            "webhooks": len(client.list_webhooks(appId=own)["webhooks"]),
            "environments": [
                e["environmentName"]
                for e in client.list_backend_environments(appId=own)["backendEnvironments"]
            ],
            "domains": [
                d["domainName"]
                for d in client.list_domain_associations(appId=own)["domainAssociations"]
            ],
            "tags": client.list_tags_for_resource(resourceArn=arn)["tags"],
        }
        assert {key: sorted(v) if isinstance(v, list) else v for key, v in seen.items()} == {
            key: sorted(v) if isinstance(v, list) else v
            for key, v in expected.items()
            if key != "work"
        }, own
    assert raw_errors(fake) == [] and "server error" not in fake.report()


def test_16_boto3_clients_driving_every_operation_at_once_lose_no_update(
    load_fake: AmplifyFake,
) -> None:
    """16 threads of a child process, each with its own boto3 client, drive all 37 operations
    through the endpoint at once: shared branches (start, stop, get, list), an app of their
    own with its branches, webhooks, backend environments, domain associations and tags, builds
    to their end and their artifacts, deployments on a manual app with their zip uploads."""
    assert_no_update_lost(load_fake, run_load(load_fake, THREADED_DRIVER))


@pytest.mark.skipif(
    importlib.util.find_spec("aiobotocore") is None,
    reason="aiobotocore is not installed (it is in the nox async sessions only)",
)
def test_an_aiobotocore_gather_of_16_calls_loses_no_update(load_fake: AmplifyFake) -> None:
    """The same workload, 16 of them gathered on one aiobotocore client."""
    assert_no_update_lost(load_fake, run_load(load_fake, ASYNC_DRIVER))


XDIST_TESTS = """
import http.client, json, os, pathlib, threading, urllib.parse
import botocore.parsers, botocore.session
import pytest
from pytest_amplify_jobs import fake_amplify, validate_job_history, validate_response

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
APP, BRANCHES, THREADS, ROUNDS = "d1abc", ["main", "dev"], 8, 3
MODEL = botocore.session.get_session().get_service_model("amplify")


class Client:
    # One keep-alive connection to the endpoint (this process's boto3 clients are answered
    # in-process); every answer a 200, parsed as botocore does and valid for the service.
    def __init__(self, port, prefix):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.prefix = prefix

    def __call__(self, operation, method, path, body=None):
        payload = None if body is None else json.dumps(body)
        self.connection.request(method, self.prefix + path, body=payload)
        response = self.connection.getresponse()
        raw = response.read()
        assert response.status == 200, (operation, response.status, raw)
        parsed = botocore.parsers.RestJSONParser().parse(
            {"status_code": 200, "headers": dict(response.headers), "body": raw},
            MODEL.operation_model(operation).output_shape,
        )
        validate_response(operation, parsed)
        return parsed


@pytest.mark.parametrize("n", range(4))
def test_own_fake_and_port_under_load(n):
    with fake_amplify(seed=n) as fake:
        for branch in BRANCHES:
            fake.add_branch(APP, branch, jobs=n + 1, finished=True)
        split = urllib.parse.urlsplit(fake.serve())
        lock, barrier = threading.Lock(), threading.Barrier(THREADS)
        problems, apps, started = [], [], {b: 0 for b in BRANCHES}

        def work(i):
            call = Client(split.port, split.path)
            barrier.wait()
            try:
                app = call("CreateApp", "POST", "/apps", {"name": f"w{n}-{i}"})["app"]["appId"]
                call("CreateBranch", "POST", f"/apps/{app}/branches", {"branchName": "main"})
                call("CreateWebhook", "POST", f"/apps/{app}/webhooks", {"branchName": "main"})
                for r in range(ROUNDS):
                    branch = BRANCHES[(i + r) % len(BRANCHES)]
                    jobs = f"/apps/{APP}/branches/{branch}/jobs"
                    job = call("StartJob", "POST", jobs, {"jobType": "RELEASE"})["jobSummary"]
                    with lock:
                        started[branch] += 1
                    call("GetJob", "GET", f"{jobs}/{job['jobId']}")
                    call("ListJobs", "GET", f"{jobs}?maxResults=50")
                    call("GetBranch", "GET", f"/apps/{APP}/branches/{branch}")
                    call("ListApps", "GET", "/apps")
                with lock:
                    apps.append(app)
            except Exception as error:
                with lock:
                    problems.append(f"thread {i}: {type(error).__name__}: {error}")
            finally:
                call.connection.close()

        threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert problems == []
        assert sum(started.values()) == THREADS * ROUNDS
        for branch in BRANCHES:  # ids unique and dense, the history coherent
            history = fake.history(APP, branch)
            total = n + 1 + started[branch]
            assert [j["jobId"] for j in history] == [str(k) for k in range(total, 0, -1)]
            validate_job_history(history, app_id=APP, branch_name=branch)
        assert sorted(a["appId"] for a in fake.apps()) == sorted([APP, *apps])
        call = Client(split.port, split.path)
        for app in apps:
            assert len(call("ListWebhooks", "GET", f"/apps/{app}/webhooks")["webhooks"]) == 1
        call.connection.close()
        out = pathlib.Path(os.environ["PORTS_DIR"]) / f"{n}-{os.environ['PYTEST_XDIST_WORKER']}"
        out.write_text(str(split.port))
"""


@pytest.mark.slow
def test_under_xdist_each_worker_serves_its_own_fake_on_its_own_port(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest-xdist -n 4: each worker's fake serves 8 threads at once on its own port."""
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
