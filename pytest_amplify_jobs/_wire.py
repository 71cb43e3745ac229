"""The HTTP side of Amplify, read from the model: request routing and parsing, JSON bodies,
response headers, request ids and error bodies.

Shared by generated pages (their ``ResponseMetadata`` carries the headers Amplify sends) and by
the fake service (which answers real HTTP requests). Knows nothing of chains or state.
"""

from __future__ import annotations

import base64
import datetime as dt
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


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@functools.lru_cache(maxsize=256)  # a fake's clock starts at the same instant in every test
def http_date(when: dt.datetime) -> str:
    """An RFC 7231 date, as in the ``date`` header: what ``email.utils.format_datetime(...,
    usegmt=True)`` writes, at a third of its cost (every answer of the fake has one).

    >>> http_date(dt.datetime(2024, 3, 5, 7, 8, 9, tzinfo=UTC))
    'Tue, 05 Mar 2024 07:08:09 GMT'
    """
    u = when.astimezone(UTC)
    return (
        f"{_DAYS[u.weekday()]}, {u.day:02d} {_MONTHS[u.month - 1]} {u.year:04d} "
        f"{u.hour:02d}:{u.minute:02d}:{u.second:02d} GMT"
    )


@functools.lru_cache(maxsize=256)  # a fake's counter starts at 0 in every test
def request_id(seed: int) -> str:
    """A UUID-shaped ``x-amzn-requestid`` derived from ``seed``.

    >>> request_id(0)
    '86a8e829-1127-41b8-a10b-685ff73e2e08'
    """
    h = f"{mix(seed, 10):016x}{mix(seed, 11):016x}"  # mix() is below 2**64: 16 digits each
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


# json.dumps(body, default=..., separators=(",", ":")) builds an encoder on every call; one
# instance does the same for every answer. Its ``default`` is called for every timestamp (the
# only values JSON has no type for): ``datetime.timestamp`` itself, not a Python function
# around it (a quarter of the encoding time of a job); anything else is a TypeError.
_ENCODER = json.JSONEncoder(default=dt.datetime.timestamp, separators=(",", ":"))


# Listed records (job summaries above all) are answered again and again, unchanged: a poll
# lists the same page, a paginator the same jobs. A caller that answers them again (the fake,
# one cache per store, released with it) passes ``kept``: their JSON is kept there, keyed by
# the record's items. Only records whose keys are strings and whose values are strings, None
# or aware datetimes are kept, for which equal items always encode the same (no
# 1 == True == 1.0, no naive datetime read in local time).
Kept = dict[tuple[tuple[Any, Any], ...], str]


def _keepable(record: dict[Any, Any]) -> bool:
    for name, value in record.items():
        if type(name) is not str:
            return False
        if not (
            type(value) is str
            or value is None
            or (type(value) is dt.datetime and value.tzinfo is not None)
        ):
            return False
    return True


def _list_json(items: list[Any], kept: Kept) -> str:
    """A list as JSON: its records from ``kept`` (kept on first use) when they all may be kept
    (the first one tells at once for lists of app or branch records, which may not)."""
    if not items or type(items[0]) is not dict or not _keepable(items[0]):
        return _ENCODER.encode(items)
    parts = []
    for record in items:
        if type(record) is not dict:
            return _ENCODER.encode(items)
        key = tuple(record.items())
        try:
            encoded = kept.get(key)
        except TypeError:  # a list or a dict among the values
            return _ENCODER.encode(items)
        if encoded is None:
            if not _keepable(record):
                return _ENCODER.encode(items)
            encoded = kept[key] = _ENCODER.encode(record)
        parts.append(encoded)
    return "[" + ",".join(parts) + "]"


def wire_body(response: Mapping[str, Any], kept: Kept | None = None) -> bytes:
    """The JSON body Amplify sends for a response: timestamps as epoch seconds.

    Exactly ``json.dumps(body, default=..., separators=(",", ":"))``; with ``kept``, listed
    records are encoded once (see ``_list_json``).

    >>> wire_body({"jobSummaries": [], "ResponseMetadata": {}})
    b'{"jobSummaries":[]}'
    """
    if type(response) is dict and "ResponseMetadata" not in response:
        body = response  # what the fake's handlers answer: no copy needed
    else:
        body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    if kept is None or not any(type(value) is list and value for value in body.values()):
        return _ENCODER.encode(body).encode()
    parts = []
    for name, value in body.items():
        if type(name) is not str:
            return _ENCODER.encode(body).encode()
        encoded = _list_json(value, kept) if type(value) is list else _ENCODER.encode(value)
        parts.append(f"{_ENCODER.encode(name)}:{encoded}")
    return ("{" + ",".join(parts) + "}").encode()


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
    """One operation's HTTP method and request URI template as a regex.

    ``parts`` is the template split at ``/``, a label as None, when every label is a whole
    segment (every Amplify route): matched segment by segment, without the regex. None for a
    template the regex alone matches (a greedy ``{label+}``, a label inside a segment).
    """

    operation: str
    method: str
    regex: re.Pattern[str]
    parts: tuple[str | None, ...] | None = None


_LABEL = re.compile(r"\{(\w+)\}")


def _parts(template: str) -> tuple[str | None, ...] | None:
    parts: list[str | None] = []
    for segment in template.split("/"):
        if _LABEL.fullmatch(segment):
            parts.append(None)
        elif "{" in segment or "}" in segment:
            return None
        else:
            parts.append(segment)
    return tuple(parts)


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
        out.append(Route(name, http["method"], re.compile(pattern), _parts(template)))
    return tuple(out)


@functools.cache
def _route_index() -> dict[tuple[str, int], tuple[Route, ...]] | None:
    """The routes by method and number of path segments, in the model's order; None when a
    route has a label only its regex matches (then every request scans the regexes)."""
    by_shape: dict[tuple[str, int], list[Route]] = {}
    for route in routes():
        if route.parts is None:
            return None
        by_shape.setdefault((route.method, len(route.parts)), []).append(route)
    return {key: tuple(found) for key, found in by_shape.items()}


def _labels(
    parts: tuple[str | None, ...], names: Any, segments: list[str]
) -> dict[str, str] | None:
    """The decoded labels of ``segments`` on a route's ``parts``, None if they differ."""
    values: list[str] = []
    for part, segment in zip(parts, segments, strict=True):
        if part is None:
            if not segment:
                return None  # a label is never empty ([^/]+)
            values.append(segment)
        elif part != segment:
            return None
    return {name: urllib.parse.unquote(value) for name, value in zip(names, values, strict=True)}


def match_route(method: str, path: str) -> tuple[str, dict[str, str]] | None:
    """The operation a request is for, and its URI labels (decoded); None if none matches.

    The first route in the model's order that matches, looked up by method and number of
    segments rather than by trying every route's regex.
    """
    index = _route_index()
    if index is None:
        for route in routes():
            match = route.regex.fullmatch(path)
            if match is not None and route.method == method:
                return route.operation, {
                    k: urllib.parse.unquote(v) for k, v in match.groupdict().items()
                }
        return None
    segments = path.split("/")
    for route in index.get((method, len(segments)), ()):
        assert route.parts is not None
        # groupindex: the label names, in the template's order
        labels = _labels(route.parts, route.regex.groupindex, segments)
        if labels is not None:
            return route.operation, labels
    return None


@dataclass(frozen=True)
class _Members:
    """How one operation's input members arrive in a request, read from the model once."""

    shape: Any  # the input shape; None for an operation without input
    by_wire_name: dict[str, str]  # URI label -> member name
    query: tuple[tuple[str, str, Any, bool], ...]  # (member, wire name, shape, is a list)


@functools.cache
def _members(operation: str) -> _Members:
    shape = _model.operation(operation).input_shape
    if shape is None:
        return _Members(None, {}, ())
    by_wire_name = {}
    query = []
    for name, member in shape.members.items():
        wire_name = member.serialization.get("name", name)
        by_wire_name[wire_name] = name
        if member.serialization.get("location") == "querystring":
            query.append((name, wire_name, member, member.type_name == "list"))
    return _Members(shape, by_wire_name, tuple(query))


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
    members = _members(operation)
    params: dict[str, Any] = {}
    shape = members.shape
    if shape is None:
        return operation, params
    by_wire_name = members.by_wire_name
    for wire_name, value in labels.items():
        params[by_wire_name.get(wire_name, wire_name)] = value
    if split.query:
        query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        for name, wire_name, member, is_list in members.query:
            if wire_name in query:
                # A list member is repeated in the query string (``?tagKeys=a&tagKeys=b``):
                # all its values, in order; any other member is its first value.
                values = query[wire_name]
                params[name] = _typed(member, values if is_list else values[0])
    if body:
        text = body.decode() if isinstance(body, bytes) else body
        try:
            decoded = json.loads(text)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict):
            shape_members = shape.members
            for name, value in decoded.items():
                member = shape_members.get(name)
                params[name] = _typed(member, value) if member is not None else value
    return operation, params
