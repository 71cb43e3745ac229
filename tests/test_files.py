"""The fake's file endpoint: every URL besides the API, served on 127.0.0.1 and nowhere else."""

from __future__ import annotations

import hashlib
import http.client
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from pytest_amplify_jobs._fake.files import LocalFiles, Upload
from tests.helpers import trickle

F = TypeVar("F", bound=Callable[..., Any])


def served(test: F) -> F:
    """Sockets for this test, to 127.0.0.1 only (the suite runs with ``--disable-socket``).

    ``allow_hosts`` alone: pytest-socket ignores it on a test also marked ``enable_socket``."""
    return pytest.mark.allow_hosts(["127.0.0.1"])(test)  # type: ignore[no-any-return]


@pytest.fixture
def files() -> Iterator[LocalFiles]:
    local = LocalFiles()
    yield local
    local.close()


def port_of(url: str) -> int:
    port = urllib.parse.urlsplit(url).port
    assert port is not None
    return port


def target_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def send(
    url: str, method: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request on a fresh connection: status, headers, body."""
    connection = http.client.HTTPConnection("127.0.0.1", port_of(url), timeout=2)
    try:
        connection.request(method, target_of(url), body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def exchange(port: int, data: bytes) -> bytes:
    """Send raw bytes, read until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def held_by_another_thread(lock: threading.RLock) -> bool:
    acquired: list[bool] = []

    def probe() -> None:
        acquired.append(lock.acquire(blocking=False))
        if acquired[0]:
            lock.release()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return not acquired[0]


@served
def test_a_put_is_accepted_recorded_and_answered_with_an_etag() -> None:
    lock = threading.RLock()
    files = LocalFiles(lock=lock)
    seen: list[tuple[str, bytes, bool]] = []
    files.on_put(
        "uploads/", lambda path, body: seen.append((path, body, held_by_another_thread(lock)))
    )
    try:
        url = files.url("uploads/d1abc/main/3/deploy.zip", query="X-Amz-Expires=3600")
        status, headers, body = send(
            url, "PUT", b"PK\x03\x04zip", {"Content-Type": "application/zip"}
        )
        assert (status, body) == (200, b"")
        assert headers["ETag"] == '"' + hashlib.md5(b"PK\x03\x04zip").hexdigest() + '"'
        assert headers["Content-Length"] == "0"
        assert headers["Content-Type"]
        # the callback ran with the caller's lock held
        assert seen == [("uploads/d1abc/main/3/deploy.zip", b"PK\x03\x04zip", True)]
        assert files.uploads == [
            Upload("uploads/d1abc/main/3/deploy.zip", b"PK\x03\x04zip", "application/zip")
        ]
        assert repr(files.uploads[0]) == (
            "Upload(path='uploads/d1abc/main/3/deploy.zip', body=<7 bytes>, "
            "content_type='application/zip')"
        )
        files.uploads.clear()  # a copy
        assert len(files.uploads) == 1
    finally:
        files.close()


@served
def test_a_put_the_callback_refuses_is_a_400_with_its_message_and_not_recorded(
    files: LocalFiles,
) -> None:
    def accept(path: str, body: bytes) -> None:
        raise ValueError("the upload is not a zip file")

    files.on_put("uploads/", accept)
    status, headers, body = send(files.url("uploads/x.zip"), "PUT", b"not a zip")
    assert status == 400
    assert b"the upload is not a zip file" in body
    assert headers["Content-Type"].startswith("text/plain")
    assert files.uploads == []
    assert files.errors == []


@served
def test_get_and_head_are_served_and_none_is_a_404(files: LocalFiles) -> None:
    logs = {"logs/job-1.txt": b"build ok\n"}
    files.on_get("logs/", lambda path: ("text/plain", logs[path]) if path in logs else None)
    status, headers, body = send(files.url("logs/job-1.txt"), "GET")
    assert (status, headers["Content-Type"], body) == (200, "text/plain", b"build ok\n")
    assert headers["Content-Length"] == "9"
    status, headers, body = send(files.url("logs/job-1.txt"), "HEAD")
    assert (status, headers["Content-Length"], body) == (200, "9", b"")
    status, _, body = send(files.url("logs/job-2.txt"), "GET")
    assert status == 404
    assert b"logs/job-2.txt" in body
    with urllib.request.urlopen(files.url("logs/job-1.txt"), timeout=2) as response:
        assert response.read() == b"build ok\n"


@served
def test_a_post_is_answered_with_the_callbacks_status_and_json(files: LocalFiles) -> None:
    files.on_post("webhooks/", lambda path, body: (202, b'{"got": %d}' % len(body)))
    status, headers, body = send(files.url("webhooks/wh1"), "POST", b"{}")
    assert (status, headers["Content-Type"], body) == (202, "application/json", b'{"got": 2}')


@served
def test_the_longest_prefix_wins(files: LocalFiles) -> None:
    files.on_get("a/", lambda path: ("text/plain", b"short"))
    files.on_get("a/b/", lambda path: ("text/plain", b"long"))
    assert send(files.url("a/b/c"), "GET")[2] == b"long"
    assert send(files.url("a/c"), "GET")[2] == b"short"


@served
def test_another_fakes_secret_and_an_unknown_path_are_404s(files: LocalFiles) -> None:
    other = LocalFiles()
    try:
        files.on_get("logs/", lambda path: ("text/plain", b"mine"))
        other.on_get("logs/", lambda path: ("text/plain", b"theirs"))
        theirs = other.url("logs/x")
        mine = files.url("logs/x")
        on_my_port = mine.replace(target_of(mine), target_of(theirs))
        status, headers, body = send(on_my_port, "GET")
        assert status == 404
        assert headers["Content-Type"].startswith("text/plain")
        assert b"wrong secret" in body
        status, _, body = send(files.url("artifacts/x"), "GET")
        assert status == 404
        assert b"no file at 'artifacts/x'" in body
        status, _, _ = send(files.url("logs/x"), "PUT", b"data")  # no PUT under logs/
        assert status == 404
    finally:
        other.close()


@served
@pytest.mark.parametrize("method", ["DELETE", "PATCH", "OPTIONS", "BREW"])
def test_other_methods_are_405(files: LocalFiles, method: str) -> None:
    files.on_get("logs/", lambda path: ("text/plain", b""))
    status, headers, body = send(files.url("logs/x"), method)
    assert status == 405
    assert headers["Allow"] == "GET, HEAD, PUT, POST"
    assert headers["Content-Length"] == str(len(body))


@served
def test_a_put_or_post_without_content_length_is_411(files: LocalFiles) -> None:
    files.on_put("u/", lambda path, body: None)
    files.on_post("u/", lambda path, body: (200, b"{}"))
    for method in ("PUT", "POST"):
        answer = exchange(
            port_of(files.url("u/x")),
            f"{method} {target_of(files.url('u/x'))} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
        )
        assert answer.startswith(b"HTTP/1.1 411 ")
    answer = exchange(
        port_of(files.url("u/x")),
        f"PUT {target_of(files.url('u/x'))} HTTP/1.1\r\nHost: x\r\n"
        "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n".encode(),
    )
    assert answer.startswith(b"HTTP/1.1 411 ")
    assert files.uploads == []


@served
def test_an_upload_over_the_limit_is_413_before_its_body_is_sent() -> None:
    files = LocalFiles(max_upload_bytes=4)
    files.on_put("u/", lambda path, body: None)
    try:
        assert send(files.url("u/ok"), "PUT", b"1234")[0] == 200
        head = f"PUT {target_of(files.url('u/big'))} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
        # Headers only: an answer at all shows the body was not waited for (client timeout 2 s,
        # server read timeout 30 s).
        answer = exchange(port_of(files.url("u/big")), (head + "\r\n").encode())
        assert answer.startswith(b"HTTP/1.1 413 ")
        assert b"Connection: close" in answer
        # With Expect: 100-continue the refusal comes instead of the 100.
        answer = exchange(
            port_of(files.url("u/big")), (head + "Expect: 100-continue\r\n\r\n").encode()
        )
        assert answer.startswith(b"HTTP/1.1 413 ")
        assert [u.path for u in files.uploads] == ["u/ok"]
    finally:
        files.close()


HUGE = "9" * 5000  # more digits than int() reads (4300)


@served
@pytest.mark.parametrize("expect", ["", "Expect: 100-continue\r\n"], ids=["plain", "expect-100"])
def test_an_upload_length_of_thousands_of_digits_is_a_413_not_an_error_of_the_fake(
    files: LocalFiles, expect: str, capfd: pytest.CaptureFixture[str]
) -> None:
    files.on_put("u/", lambda path, body: None)
    url = files.url("u/x")
    head = f"PUT {target_of(url)} HTTP/1.1\r\nHost: x\r\nContent-Length: {HUGE}\r\n{expect}\r\n"
    answer = exchange(port_of(url), head.encode())
    assert answer.startswith(b"HTTP/1.1 413 ") and b"Connection: close" in answer
    text = answer.partition(b"\r\n\r\n")[2].decode()
    assert text.startswith("413 Content Too Large: Content-Length='99999")
    assert text.endswith(f"(len 5000); allowed: at most {512 * 2**20} bytes\n")
    assert files.errors == [] and files.uploads == []
    assert send(url, "PUT", b"ok")[0] == 200  # serving on
    assert capfd.readouterr() == ("", "")


@served
def test_leading_zeros_of_a_length_are_the_number_they_name(files: LocalFiles) -> None:
    files.on_put("u/", lambda path, body: None)
    url = files.url("u/x")
    head = f"PUT {target_of(url)} HTTP/1.1\r\nHost: x\r\nContent-Length: {'0' * 5000}3\r\n"
    answer = exchange(port_of(url), f"{head}Connection: close\r\n\r\nabc".encode())
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert files.uploads == [Upload("u/x", b"abc", None)]


@served
def test_two_different_content_lengths_are_a_400_and_nothing_is_recorded(
    files: LocalFiles,
) -> None:
    files.on_put("u/", lambda path, body: None)
    url = files.url("u/x")
    head = f"PUT {target_of(url)} HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
    # Framed by the first length, "PUT /..." would be the next request: a smuggled upload.
    smuggled = f"PUT {target_of(files.url('u/smuggled'))} HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
    body = "abc" + smuggled
    answer = exchange(port_of(url), f"{head}Content-Length: {len(body)}\r\n\r\n{body}".encode())
    assert answer.startswith(b"HTTP/1.1 400 ") and b"Connection: close" in answer
    assert answer.count(b"HTTP/1.1 ") == 1
    assert answer.endswith(
        f"400 Bad Request: Content-Length='3, {len(body)}'; allowed: one whole number of bytes "
        "(repeated only with the same value)\n".encode()
    )
    assert files.uploads == []
    # The same value twice is one length.
    answer = exchange(
        port_of(url), f"{head}Content-Length: 3\r\nConnection: close\r\n\r\nabc".encode()
    )
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert files.uploads == [Upload("u/x", b"abc", None)]


@served
@pytest.mark.parametrize(
    ("make", "says"),
    [
        (
            lambda t: b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
            b"400 Bad request syntax",
        ),
        (lambda t: b"GET\r\n\r\n", b"400 Bad request syntax"),
        (lambda t: b"hello there\r\n\r\n", b"400 Bad HTTP/0.9 request type"),
        (lambda t: f"GET {t}\r\n\r\n".encode(), b"400 Bad request syntax"),
        (
            lambda t: f"GET {t} HTTP/0.9\r\n\r\n".encode(),
            b"505 HTTP Version Not Supported: 'HTTP/0.9' is not served; send HTTP/1.1",
        ),
    ],
    ids=["tls-hello", "one-word", "two-words", "http-0.9", "http-0.9-named"],
)
def test_garbage_and_http_0_9_get_an_error_with_a_status_line(
    files: LocalFiles, make: Callable[[str], bytes], says: bytes
) -> None:
    # HTTP/0.9 answers have no status line: a client would take the error text for the file.
    files.on_get("logs/", lambda path: ("text/plain", b"log"))
    url = files.url("logs/x")
    answer = exchange(port_of(url), make(target_of(url)))
    head, _, text = answer.partition(b"\r\n\r\n")
    assert re.match(rb"HTTP/1\.[01] " + says[:4], head), answer[:200]
    assert b"Connection: close" in head and text.startswith(says), text
    assert send(url, "GET")[2] == b"log"


@served
@pytest.mark.parametrize("part", ["headers", "body"])
def test_an_upload_trickling_in_gets_a_408_at_its_deadline_not_per_read(
    part: str, capfd: pytest.CaptureFixture[str]
) -> None:
    # A byte every 0.1 s never lets one read wait the read timeout (0.5 s): only a deadline for
    # the whole request ends it.
    files = LocalFiles(read_timeout=0.5)
    files.on_put("u/", lambda path, body: None)
    try:
        url = files.url("u/x")
        body = b"z" * 100
        head = f"PUT {target_of(url)} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n".encode()
        started = time.monotonic()
        if part == "headers":
            answer = trickle(port_of(url), head + body)
        else:
            answer = trickle(port_of(url), body, at_once=head)
        assert 0.4 < time.monotonic() - started < 1.5
        awaited = (
            "the request line and headers" if part == "headers" else "the body (Content-Length=100)"
        )
        assert answer.startswith(b"HTTP/1.1 408 ") and answer.endswith(
            f"408 Request Timeout: {awaited} did not arrive within 0.5 s of the request's "
            "first byte (the read timeout: a request must arrive whole within it)\n".encode()
        )
        assert files.uploads == [] and files.errors == []
    finally:
        files.close()
    assert capfd.readouterr() == ("", "")


@served
def test_expect_100_continue_is_honoured_for_an_accepted_upload(files: LocalFiles) -> None:
    files.on_put("u/", lambda path, body: None)
    url = files.url("u/x")
    with socket.create_connection(("127.0.0.1", port_of(url)), timeout=2) as sock:
        sock.sendall(
            f"PUT {target_of(url)} HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
            "Expect: 100-continue\r\n\r\n".encode()
        )
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(b"abc")
        assert sock.recv(1000).startswith(b"HTTP/1.1 200 ")
    assert files.uploads == [Upload("u/x", b"abc", None)]


@served
def test_a_stalled_body_is_a_408_and_the_server_serves_on(
    capfd: pytest.CaptureFixture[str],
) -> None:
    files = LocalFiles(read_timeout=0.5)
    files.on_put("u/", lambda path, body: None)
    try:
        url = files.url("u/x")
        started = time.monotonic()
        answer = exchange(
            port_of(url),
            f"PUT {target_of(url)} HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc".encode(),
        )
        assert answer.startswith(b"HTTP/1.1 408 ") and b"Connection: close" in answer
        assert answer.endswith(
            b"408 Request Timeout: the body (Content-Length=10) did not arrive within 0.5 s of "
            b"the request's first byte (the read timeout: a request must arrive whole within it)\n"
        )
        assert 0.4 < time.monotonic() - started < 1.9
        assert send(url, "PUT", b"whole")[0] == 200
        assert files.uploads == [Upload("u/x", b"whole", None)]
        assert files.errors == []
    finally:
        files.close()
    assert capfd.readouterr() == ("", "")


@served
def test_a_failing_callback_is_a_500_kept_in_errors_and_not_printed(
    files: LocalFiles, capfd: pytest.CaptureFixture[str]
) -> None:
    def serve(path: str) -> tuple[str, bytes] | None:
        raise RuntimeError("the fake's own bug")

    files.on_get("logs/", serve)
    files.on_post("bad/", lambda path, body: (99, "not bytes"))  # type: ignore[arg-type,return-value]
    status, _, body = send(files.url("logs/x"), "GET")
    assert status == 500
    assert b"LocalFiles.errors" in body
    assert send(files.url("bad/x"), "POST", b"{}")[0] == 500
    assert len(files.errors) == 2
    assert "GET 'logs/x'" in files.errors[0]
    assert "RuntimeError: the fake's own bug" in files.errors[0]
    assert "allowed: a (status: int in 200..599, json_body: bytes) tuple" in files.errors[1]
    assert capfd.readouterr() == ("", "")


@served
def test_paths_are_quoted_and_come_back_as_given(files: LocalFiles) -> None:
    assert files.url("a/b c").endswith("/a/b%20c")
    files.on_put("", lambda path, body: None)
    odd = "dir/über & co/50%?#+.txt"
    url = files.url(odd)
    assert " " not in url
    assert "#" not in url
    assert urllib.parse.urlsplit(url).query == ""
    assert send(url, "PUT", b"x")[0] == 200
    assert files.uploads[0].path == odd


@served
def test_keep_alive_and_close_frees_the_port_and_the_threads() -> None:
    before = threading.active_count()
    files = LocalFiles()
    files.on_get("logs/", lambda path: ("text/plain", b"log"))
    url = files.url("logs/x")
    assert files.serving
    connection = http.client.HTTPConnection("127.0.0.1", port_of(url), timeout=2)
    try:
        connection.request("GET", target_of(url))
        assert connection.getresponse().read() == b"log"
        first = connection.sock
        connection.request("GET", target_of(url))
        assert connection.getresponse().read() == b"log"
        assert connection.sock is first  # one connection, kept alive
        assert threading.active_count() == before + 2  # the accept loop and the connection
        started = time.monotonic()
        files.close()  # with the keep-alive connection still open
        assert time.monotonic() - started < 1.5
        assert threading.active_count() == before
        assert not files.serving
    finally:
        connection.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port_of(url)), timeout=2).close()
    with pytest.raises(RuntimeError, match="the fake has exited; its URLs are no longer served"):
        files.url("logs/x")
    files.close()  # idempotent


def test_without_sockets_the_urls_point_at_the_discard_port() -> None:
    """No allow_hosts marker: pytest-socket refuses the listening socket."""
    before = threading.active_count()
    files = LocalFiles()
    url = files.url("logs/x")
    assert url.startswith("http://127.0.0.1:9/")
    assert url.endswith("/logs/x")
    assert not files.serving
    assert files.url("logs/y").startswith("http://127.0.0.1:9/")  # tried once, same port
    assert "not serving" in repr(files)
    assert threading.active_count() == before
    files.close()
    with pytest.raises(RuntimeError, match="no longer served"):
        files.url("logs/x")


def test_close_before_any_url_needs_no_server() -> None:
    files = LocalFiles()
    files.close()
    assert not files.serving
    with pytest.raises(RuntimeError, match="no longer served"):
        files.url("x")


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: LocalFiles(max_upload_bytes=-1), ValueError, r"max_upload_bytes=-1 .* >= 0"),
        (lambda: LocalFiles(max_upload_bytes=1.5), TypeError, r"max_upload_bytes=1\.5 .* int"),  # type: ignore[arg-type]
        (lambda: LocalFiles(max_upload_bytes=True), TypeError, r"max_upload_bytes=True"),
        (lambda: LocalFiles(read_timeout=0), ValueError, r"read_timeout=0 .* > 0"),
        (lambda: LocalFiles(read_timeout=float("inf")), ValueError, r"read_timeout=inf"),
        (lambda: LocalFiles(read_timeout="1"), TypeError, r"read_timeout='1' .* seconds"),  # type: ignore[arg-type]
        (lambda: LocalFiles().url(b"x"), TypeError, r"path=b'x' .* str"),  # type: ignore[arg-type]
        (lambda: LocalFiles().url("x", query="?a=1"), ValueError, r"query='\?a=1' .*urlencode"),
        (lambda: LocalFiles().url("x", query="a=1#f"), ValueError, r"query='a=1#f'"),
        (lambda: LocalFiles().url("x", query="a=b c"), ValueError, r"query='a=b c'"),
        (lambda: LocalFiles().on_get(1, print), TypeError, r"on_get\(prefix=1\) .* str"),  # type: ignore[arg-type]
        (lambda: LocalFiles().on_put("u/", None), TypeError, r"on_put\(callback=None\)"),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_name_the_parameter_the_value_and_what_is_allowed(
    call: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        call()
