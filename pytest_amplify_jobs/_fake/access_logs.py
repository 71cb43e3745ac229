"""Access logs: the CSV behind GenerateAccessLogs' URL, in the form of Amplify's logs.

Amplify's access logs are CloudFront's standard log fields; the fake serves a few requests
derived from the URL's path, inside its time range (no state: the path says it all).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Container

from pytest_amplify_jobs import _generate

__all__ = ["access_log"]

# The fields of an access log, in order (Amplify's CSV: CloudFront's standard log fields).
_LOG_FIELDS = (
    "date",
    "time",
    "x-edge-location",
    "sc-bytes",
    "c-ip",
    "cs-method",
    "cs(Host)",
    "cs-uri-stem",
    "sc-status",
    "cs(Referer)",
    "cs(User-Agent)",
    "cs-uri-query",
    "cs(Cookie)",
    "x-edge-result-type",
    "x-edge-request-id",
    "x-host-header",
    "cs-protocol",
    "cs-bytes",
    "time-taken",
    "x-forwarded-for",
    "ssl-protocol",
    "ssl-cipher",
    "x-edge-response-result-type",
    "cs-protocol-version",
    "fle-status",
    "fle-encrypted-fields",
    "c-port",
    "time-to-first-byte",
    "x-edge-detailed-result-type",
    "sc-content-type",
    "sc-content-len",
    "sc-range-start",
    "sc-range-end",
)
# The requests of a log: (uri, status, bytes, content type).
_LOG_REQUESTS = (
    ("/", 200, 2001, "text/html"),
    ("/assets/index.js", 200, 48213, "application/javascript"),
    ("/assets/index.css", 200, 5120, "text/css"),
    ("/favicon.ico", 304, 0, "image/x-icon"),
    ("/missing", 404, 512, "text/html"),
)
_EDGES = ("IAD89-C1", "FRA56-P7", "NRT57-P2", "SFO53-C1")


def access_log(path: str, apps: Container[str]) -> tuple[str, bytes] | None:
    """The file behind :meth:`Store.generate_access_logs`' URL: a CSV in the form of Amplify's
    access logs (CloudFront's standard log fields), a few requests derived from the path,
    inside its time range. None (404) for a path it did not hand out.

    >>> kind, body = access_log("access-logs/d1abc/example.com/1704067200-1704070800.csv", {"d1abc"})
    >>> kind, body.decode().splitlines()[1].split(",")[:9]
    ('text/csv', ['2024-01-01', '00:00:00', 'IAD89-C1', '2311', '192.0.2.191', 'GET', 'example.com', '/', '200'])
    """
    parts = path.split("/")
    if len(parts) != 4 or parts[0] != "access-logs" or parts[1] not in apps:
        return None
    _kind, _app, domain, span = parts
    first, _, last = span.removesuffix(".csv").partition("-")
    if not (first.isdigit() and last.isdigit()) or int(first) > int(last):
        return None
    lines = [",".join(_LOG_FIELDS)]
    count = len(_LOG_REQUESTS)
    for index, (uri, status, size, kind) in enumerate(_LOG_REQUESTS):
        when = dt.datetime.fromtimestamp(
            int(first) + (int(last) - int(first)) * index // count, dt.timezone.utc
        )
        flavour = _generate.mix(int(first) + index, 13)
        result = "Hit" if index else "Miss"
        lines.append(
            ",".join(
                (
                    when.strftime("%Y-%m-%d"),
                    when.strftime("%H:%M:%S"),
                    _EDGES[flavour % len(_EDGES)],
                    str(size + 310),
                    f"192.0.2.{15 + flavour % 200}",
                    "GET",
                    domain,
                    uri,
                    str(status),
                    "-",
                    "Mozilla/5.0%20(X11;%20Linux%20x86_64)",
                    "-",
                    "-",
                    result if status < 400 else "Error",
                    base64.urlsafe_b64encode(flavour.to_bytes(8, "big") * 5).decode()[:56],
                    domain,
                    "https",
                    "512",
                    f"0.{(flavour % 90) + 5:03d}",
                    "-",
                    "TLSv1.3",
                    "TLS_AES_128_GCM_SHA256",
                    result if status < 400 else "Error",
                    "HTTP/2.0",
                    "-",
                    "-",
                    str(40000 + flavour % 20000),
                    f"0.{(flavour % 80) + 4:03d}",
                    result if status < 400 else "Error",
                    kind,
                    str(size),
                    "-",
                    "-",
                )
            )
        )
    return "text/csv", ("\n".join(lines) + "\n").encode()
