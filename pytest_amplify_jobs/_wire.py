"""The HTTP side of Amplify, read from the model: request routing and parsing, JSON bodies,
response headers, request ids and error bodies.

Shared by generated pages (their ``ResponseMetadata`` carries the headers Amplify sends) and by
the fake service (which answers real HTTP requests). Knows nothing of chains or state.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import functools
import json
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pytest_amplify_jobs import _model
from pytest_amplify_jobs._generate import mix

UTC = dt.timezone.utc

__all__ = [
    "Route",
    "error_body",
    "headers",
    "http_date",
    "parse_request",
    "request_id",
    "response_metadata",
    "routes",
    "wire_body",
]


def _hex(value: int, width: int) -> str:
    return format(value, f"0{width}x")[-width:]


def http_date(when: dt.datetime) -> str:
    """An RFC 7231 date, as in the ``date`` header."""
    return email.utils.format_datetime(when.astimezone(UTC), usegmt=True)


def request_id(seed: int) -> str:
    """A UUID-shaped ``x-amzn-requestid`` derived from ``seed``.

    >>> request_id(0)
    '86a8e829-1127-41b8-a10b-685ff73e2e08'
    """
    h = _hex(mix(seed, 10), 16) + _hex(mix(seed, 11), 16)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def _wire_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.timestamp()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def wire_body(response: Mapping[str, Any]) -> bytes:
    """The JSON body Amplify sends for a response: timestamps as epoch seconds.

    >>> wire_body({"jobSummaries": [], "ResponseMetadata": {}})
    b'{"jobSummaries":[]}'
    """
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    return json.dumps(body, default=_wire_default, separators=(",", ":")).encode()


def error_body(message: str) -> bytes:
    """The JSON body of an Amplify error."""
    return json.dumps({"message": message}).encode()


def headers(
    rid: str,
    when: dt.datetime,
    *,
    length: int | None = None,
    error_code: str | None = None,
    full: bool = True,
) -> dict[str, str]:
    """The headers Amplify answers with (``full`` adds API Gateway's id and trace headers).

    ``content-length`` is set only when the caller has the body at hand: serialising every
    generated page just to measure it would double the cost of ``generate_chain``.
    """
    out = {
        "date": http_date(when),
        "content-type": "application/json",
        "connection": "keep-alive",
        "x-amzn-requestid": rid,
        "access-control-allow-origin": "*",
    }
    if full:
        out["x-amz-apigw-id"] = base64.b64encode(rid.encode()[:12]).decode()[:16]
        out["x-amzn-trace-id"] = (
            f"Root=1-{_hex(int(when.timestamp()), 8)}-{rid.replace('-', '')[:24]}"
        )
    if length is not None:
        out["content-length"] = str(length)
    if error_code is not None:
        # Modeled errors read "Code:", the front end's common errors name their Coral namespace.
        known = (
            error_code in _model.all_error_codes() or error_code in _model.model().service_errors
        )
        out["x-amzn-errortype"] = (
            _model.error_fact(error_code).errortype if known else f"{error_code}:"
        )
    return out


def response_metadata(
    rid: str,
    when: dt.datetime,
    *,
    status: int = 200,
    length: int | None = None,
    error_code: str | None = None,
) -> dict[str, Any]:
    """``ResponseMetadata`` as botocore builds it from Amplify's HTTP response."""
    return {
        "RequestId": rid,
        "HTTPStatusCode": status,
        "HTTPHeaders": headers(rid, when, length=length, error_code=error_code),
        "RetryAttempts": 0,
    }


# ----------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class Route:
    """One operation's HTTP method and request URI template as a regex."""

    operation: str
    method: str
    regex: re.Pattern[str]


@functools.cache
def routes() -> tuple[Route, ...]:
    """Every Amplify operation's route, from the model (``{appId}`` becomes a named group)."""
    out = []
    service = _model.model().service_model
    for name in service.operation_names:
        http = service.operation_model(name).http
        template = http["requestUri"].split("?", 1)[0]
        pattern = re.escape(template)
        pattern = re.sub(r"\\\{(\w+)\\\+\\\}", r"(?P<\1>.+)", pattern)  # greedy labels
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", pattern)
        out.append(Route(name, http["method"], re.compile(pattern)))
    return tuple(out)


def match_route(method: str, path: str) -> tuple[str, dict[str, str]] | None:
    """The operation a request is for, and its URI labels (decoded); None if none matches."""
    for route in routes():
        match = route.regex.fullmatch(path)
        if match is not None and route.method == method:
            return route.operation, {
                k: urllib.parse.unquote(v) for k, v in match.groupdict().items()
            }
    return None


def _typed(shape: Any, value: Any) -> Any:
    """A value read from a query string or JSON body, typed as the model's shape says."""
    kind = shape.type_name
    if kind in ("integer", "long") and isinstance(value, str):
        stripped = value.lstrip("-")
        return int(value) if stripped.isdigit() else value
    if kind == "boolean" and isinstance(value, str):
        return {"true": True, "false": False}.get(value, value)
    if kind == "timestamp" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, UTC)
    if kind == "structure" and isinstance(value, dict):
        return {
            k: _typed(shape.members[k], v) if k in shape.members else v for k, v in value.items()
        }
    if kind == "list" and isinstance(value, list):
        return [_typed(shape.member, v) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _typed(shape.value, v) for k, v in value.items()}
    return value


def parse_request(
    method: str, url: str, body: bytes | str | None
) -> tuple[str | None, dict[str, Any]]:
    """The operation and parameters of a real HTTP request, typed by the model.

    Returns ``(None, {})`` when no operation has that method and path. A list member sent in
    the query string is read whole, each repeat one item:

    >>> parse_request("DELETE", "https://amplify/tags/arn%3Aaws%3Aamplify?tagKeys=a&tagKeys=b", None)
    ('UntagResource', {'resourceArn': 'arn:aws:amplify', 'tagKeys': ['a', 'b']})
    """
    split = urllib.parse.urlsplit(url)
    routed = match_route(method, split.path)
    if routed is None:
        return None, {}
    operation, labels = routed
    shape = _model.operation(operation).input_shape
    params: dict[str, Any] = {}
    if shape is None:
        return operation, params
    query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
    by_wire_name = {
        member.serialization.get("name", name): (name, member)
        for name, member in shape.members.items()
    }
    for wire_name, value in labels.items():
        name, member = by_wire_name.get(wire_name, (wire_name, None))
        params[name] = value
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "querystring" and wire_name in query:
            # A list member is repeated in the query string (``?tagKeys=a&tagKeys=b``): all
            # its values, in order; any other member is its first value.
            values = query[wire_name]
            params[name] = _typed(member, values if member.type_name == "list" else values[0])
    if body:
        text = body.decode() if isinstance(body, bytes) else body
        try:
            decoded = json.loads(text)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict):
            for name, value in decoded.items():
                member = shape.members.get(name)
                params[name] = _typed(member, value) if member is not None else value
    return operation, params
