"""Every fact about ListJobs, read once from botocore's installed service model.

Nothing else in the package retypes an enum value, a limit, a pattern, an error code or a
paginator key: it asks :func:`model`. When botocore ships a new status, job type, member or
error, everything downstream follows without a code change.

The only knowledge kept here that the model does not carry is the *lifecycle* of a job status
(which statuses are queued, building or finished, and which moves a job can make) and the
messages the service writes in its errors. Both are keyed by name and intersected with the
model, so a status botocore adds later is still generated (as a finished one) until someone
classifies it, and no message exists for a code the model lacks.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

SERVICE_NAME = "amplify"
OPERATION_NAME = "ListJobs"

# Lifecycle of a job, newest first on a branch: queued jobs wait behind the one building job,
# which is newer than every finished job. Unknown statuses count as finished (see module doc).
_QUEUED = ("CREATED", "PENDING")
_BUILDING = ("PROVISIONING", "RUNNING", "CANCELLING")
# The usual outcome first: generators put the most ordinary value first so that it shrinks there.
_FINISHED_ORDER = ("SUCCEED", "FAILED", "CANCELLED")
_MANUAL_JOB_TYPE = "MANUAL"
_RETRY_JOB_TYPE = "RETRY"
_PUSH_JOB_TYPE = "WEB_HOOK"
# The two finished statuses that only some moves reach: a build succeeds only once it runs, and
# a job is cancelled only before it builds or through CANCELLING.
_SUCCEEDED = "SUCCEED"
_CANCELLED = "CANCELLED"
_CANCELLING = "CANCELLING"
_RUNNING = "RUNNING"
# What the service writes in the message of its errors, by default ({operation}: the operation
# called). A BadRequestException that nothing else explains is the service's rate limit: Amplify
# throttles with a 400 BadRequestException, "Rate exceeded while calling CreateApp, please slow
# down or try again later." (aws-amplify/amplify-hosting#3748; the Amplify CLI matches this text
# in amplify-service-manager.ts), which botocore retries in neither retry mode.
# LimitExceededException is a quota on Amplify (50 branches per app...), not throttling: our
# wording, the service's is unpublished. The others are ours too.
RATE_LIMIT_MESSAGE = "Rate exceeded while calling {operation}, please slow down or try again later."
# The error code of Amplify's throttle, by name: ``fault_codes=[RATE_LIMIT]`` in worlds,
# ``fake.fail(RATE_LIMIT)``, ``add_client_error(op, RATE_LIMIT)`` (``fake.throttle()`` and
# ``add_throttling(op)`` say the same).
RATE_LIMIT = "BadRequestException"
_ERROR_MESSAGES = {
    "BadRequestException": RATE_LIMIT_MESSAGE,
    "UnauthorizedException": "You are not authorized to perform {operation}",
    "InternalFailureException": "An internal failure occurred. Try again later.",
    "LimitExceededException": "A service quota of Amplify was exceeded by {operation}.",
    "NotFoundException": "Resource not found",
    "DependentServiceFailureException": "A dependent service failed. Try again later.",
}

# The errors AWS's front end answers for any operation of any service, before (or instead of)
# the service itself: authentication, authorisation, throttling, availability. The model lists
# none of them. code -> (HTTP status, message); the statuses are the ones AWS documents in its
# "Common Errors" reference and sends on the wire. Kept apart from the modeled errors: botocore
# has no exception class for them (a ``ClientError`` with the code) and strategies offer them
# only on request.
_CORAL = "http://internal.amazon.com/coral/com.amazon.coral.service/"
_COMMON_ERRORS: dict[str, tuple[int, str]] = {
    "ThrottlingException": (400, "Rate exceeded"),
    "TooManyRequestsException": (429, "Too Many Requests"),
    "AccessDeniedException": (
        403,
        "User is not authorized to perform: amplify:{operation} with an explicit deny",
    ),
    "ExpiredTokenException": (403, "The security token included in the request is expired"),
    "UnrecognizedClientException": (403, "The security token included in the request is invalid."),
    "InvalidSignatureException": (
        403,
        "The request signature we calculated does not match the signature you provided.",
    ),
    "IncompleteSignatureException": (403, "Authorization header requires 'Signature' parameter."),
    "MissingAuthenticationTokenException": (403, "Missing Authentication Token"),
    "RequestExpired": (400, "Request has expired."),
    "ValidationException": (400, "1 validation error detected"),
    "ServiceUnavailableException": (503, "Service Unavailable"),
    "InternalFailure": (500, "The request processing has failed because of an unknown error."),
    "RequestTimeout": (
        400,
        "Your socket connection to the server was not read from or written to within the timeout period.",
    ),
    "RequestTimeoutException": (408, "Request timed out"),
}


@dataclass(frozen=True)
class ErrorFact:
    """One error code as the wire shows it: HTTP status, ``x-amzn-errortype``, message, and
    whether the operation's model lists it (``modeled``) or AWS's front end sends it
    (``common``)."""

    code: str
    http_status: int
    message: str
    modeled: bool
    errortype: str

    @property
    def headers(self) -> dict[str, str]:
        """The headers an answer with this error carries beyond the usual ones."""
        return {"x-amzn-errortype": self.errortype}


def common_error_codes() -> tuple[str, ...]:
    """The errors AWS's front end sends for any operation (not in the service model).

    >>> common_error_codes()[:2]
    ('ThrottlingException', 'TooManyRequestsException')
    """
    modeled = model().service_errors
    return tuple(code for code in _COMMON_ERRORS if code not in modeled)


def all_error_codes(operation: str = OPERATION_NAME) -> tuple[str, ...]:
    """The modeled errors of ``operation`` (the model's order), then the common ones.

    >>> all_error_codes()[:4]
    ('BadRequestException', 'UnauthorizedException', 'InternalFailureException', 'LimitExceededException')
    """
    modeled = tuple(shape.name for shape in _operation_model(operation).error_shapes)
    return modeled + common_error_codes()


def error_fact(code: str, operation: str = OPERATION_NAME, *, name: str = "error") -> ErrorFact:
    """The facts of ``code`` for ``operation``: a modeled error of it (the model's status),
    another operation's modeled error (not ``modeled`` for this one), or a common error.

    >>> error_fact("ThrottlingException")
    ErrorFact(code='ThrottlingException', http_status=400, message='Rate exceeded', modeled=False, errortype='ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.service/')
    >>> error_fact("LimitExceededException").http_status, error_fact("LimitExceededException").modeled
    (429, True)
    """
    m = model()
    op_errors = {s.name for s in _operation_model(operation).error_shapes}
    if isinstance(code, str) and code in m.service_errors:
        return ErrorFact(
            code,
            m.service_errors[code],
            m.error_message(code, operation),
            code in op_errors,
            f"{code}:",
        )
    if isinstance(code, str) and code in _COMMON_ERRORS:
        status = _COMMON_ERRORS[code][0]
        return ErrorFact(code, status, m.error_message(code, operation), False, f"{code}:{_CORAL}")
    from pytest_amplify_jobs._text import short_repr

    raise ValueError(
        f"{name}={short_repr(code)} is neither a modeled {operation} error nor one AWS's front end "
        f"sends; allowed: {', '.join(all_error_codes(operation))}"
    )


def error_status(code: str, operation: str = OPERATION_NAME) -> int:
    """The HTTP status AWS answers ``code`` with.

    >>> error_status("ExpiredTokenException"), error_status("NotFoundException")
    (403, 404)
    """
    return error_fact(code, operation).http_status


def is_modeled(code: str, operation: str = OPERATION_NAME) -> bool:
    """Whether ``operation``'s model lists ``code`` (botocore has an exception class for it)."""
    return code in {s.name for s in _operation_model(operation).error_shapes}


@dataclass(frozen=True)
class Rule:
    """The constraints of one scalar shape, as the model states them."""

    shape_name: str
    type_name: str
    min: int | None = None
    max: int | None = None
    pattern: str | None = None
    regex: re.Pattern[str] | None = None
    enum: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListJobsModel:
    """The ListJobs operation as the installed botocore model describes it."""

    service_model: ServiceModel = field(repr=False)
    operation: OperationModel = field(repr=False)
    method_name: str
    http_method: str
    request_uri: str
    request_required: tuple[str, ...]
    request_rules: Mapping[str, Rule]
    request_locations: Mapping[str, tuple[str, str]]
    result_key: str
    output_token: str
    input_token: str
    limit_key: str
    summary_required: tuple[str, ...]
    summary_rules: Mapping[str, Rule]
    statuses: tuple[str, ...]
    job_types: tuple[str, ...]
    source_url_types: tuple[str, ...]
    errors: Mapping[str, int]
    error_fields: Mapping[str, tuple[str, ...]]
    queued_statuses: tuple[str, ...]
    building_statuses: tuple[str, ...]
    finished_statuses: tuple[str, ...]
    service_errors: Mapping[str, int]

    @property
    def summary_members(self) -> tuple[str, ...]:
        return tuple(self.summary_rules)

    @property
    def max_page_size(self) -> int:
        rule = self.request_rules[self.limit_key]
        assert rule.max is not None
        return rule.max

    @property
    def token_max(self) -> int:
        return self.request_rules[self.input_token].max or 2000

    @property
    def manual_job_type(self) -> str | None:
        return _MANUAL_JOB_TYPE if _MANUAL_JOB_TYPE in self.job_types else None

    @property
    def retry_job_type(self) -> str | None:
        return _RETRY_JOB_TYPE if _RETRY_JOB_TYPE in self.job_types else None

    @functools.cached_property
    def job_types_ordinary_first(self) -> tuple[str, ...]:
        return _ordinary_first(self.job_types, (_PUSH_JOB_TYPE,))

    @functools.cached_property
    def statuses_ordinary_first(self) -> tuple[str, ...]:
        return _ordinary_first(self.statuses, _FINISHED_ORDER)

    @functools.cached_property
    def moves(self) -> Mapping[str, tuple[str, ...]]:
        """The lifecycle moves of a job, forward only, by status (finished jobs move no more).

        Queued jobs move to a later queued status, to any build status, or end ``FAILED`` /
        ``CANCELLED``; a build moves to a later build status or ends ``FAILED``; only a running
        build (the last build status before cancelling) ends ``SUCCEED``; only ``CANCELLING``
        (or a queued job) ends ``CANCELLED``.
        """
        order = self.queued_statuses + self.building_statuses
        failed = tuple(s for s in self.finished_statuses if s not in (_SUCCEEDED, _CANCELLED))
        out: dict[str, tuple[str, ...]] = {}
        for index, status in enumerate(order):
            later = () if status == _CANCELLING else order[index + 1 :]
            ends = failed
            if status == _RUNNING:
                ends = (_SUCCEEDED, *ends)
            if status in self.queued_statuses or status == _CANCELLING:
                ends = (*ends, _CANCELLED)
            out[status] = tuple(s for s in (*later, *ends) if s in self.statuses)
        return out

    def error_message(self, code: str, operation: str = OPERATION_NAME) -> str:
        """The message the service (or AWS's front end, for a common error) writes for
        ``code`` when ``operation`` is called.

        >>> model().error_message("BadRequestException", "StartJob")
        'Rate exceeded while calling StartJob, please slow down or try again later.'
        """
        if code in _ERROR_MESSAGES:
            return _ERROR_MESSAGES[code].format(operation=operation)
        if code in _COMMON_ERRORS:
            return _COMMON_ERRORS[code][1].format(operation=operation)
        return f"{code}: the request failed"

    def describe_limit(self, member: str, *, request: bool = True) -> str:
        """Human words for a member's rule, quoted in error messages."""
        rule = (self.request_rules if request else self.summary_rules)[member]
        return describe_rule(rule)


def describe_rule(rule: Rule) -> str:
    parts: list[str] = []
    if rule.enum:
        parts.append("one of " + ", ".join(rule.enum))
    if rule.type_name == "string":
        if rule.min is not None or rule.max is not None:
            parts.append(
                f"{rule.min or 0} to {rule.max if rule.max is not None else '∞'} characters"
            )
        if rule.pattern is not None:
            parts.append(f"matching {rule.pattern}")
    elif rule.type_name in ("integer", "long"):
        parts.append(
            f"an integer from {rule.min if rule.min is not None else '-∞'} "
            f"to {rule.max if rule.max is not None else '∞'}"
        )
    else:
        parts.append(f"a {rule.type_name}")
    return ", ".join(parts)


def _ordinary_first(values: tuple[str, ...], preferred: tuple[str, ...]) -> tuple[str, ...]:
    head = tuple(v for v in preferred if v in values)
    return head + tuple(v for v in values if v not in head)


def rule_for(shape: Shape) -> Rule:
    meta = shape.metadata
    pattern = meta.get("pattern")
    regex: re.Pattern[str] | None = None
    if pattern is not None:
        try:
            regex = re.compile(pattern)
        except re.error:  # a pattern Python cannot read is reported, not enforced
            regex = None
    return Rule(
        shape_name=shape.name,
        type_name=shape.type_name,
        min=meta.get("min"),
        max=meta.get("max"),
        pattern=pattern,
        regex=regex,
        enum=tuple(getattr(shape, "enum", None) or ()),
    )


def _scalar_rules(shape: StructureShape) -> dict[str, Rule]:
    return {name: rule_for(member) for name, member in shape.members.items()}


@functools.cache
def model() -> ListJobsModel:
    """Load the ListJobs facts from botocore, once, on first use."""
    from botocore import xform_name
    from botocore.loaders import Loader
    from botocore.model import ServiceModel

    loader = Loader()
    service_model = ServiceModel(loader.load_service_model(SERVICE_NAME, "service-2"))
    paginators = loader.load_service_model(SERVICE_NAME, "paginators-1")["pagination"]
    paginator = paginators[OPERATION_NAME]
    operation = service_model.operation_model(OPERATION_NAME)
    input_shape = operation.input_shape
    output_shape = operation.output_shape
    assert input_shape is not None
    assert output_shape is not None
    result_key: str = paginator["result_key"]
    summaries_shape = output_shape.members[result_key]
    summary_shape = summaries_shape.member  # type: ignore[attr-defined]
    summary_rules = _scalar_rules(summary_shape)
    statuses = next(r.enum for r in summary_rules.values() if r.shape_name == "JobStatus")
    job_types = next(r.enum for r in summary_rules.values() if r.shape_name == "JobType")
    source_url_types = next(
        (r.enum for r in summary_rules.values() if r.shape_name == "SourceUrlType"), ()
    )
    errors = {
        shape.name: int(shape.metadata["error"]["httpStatusCode"])
        for shape in operation.error_shapes
    }
    error_fields = {
        shape.name: tuple(shape.members)  # type: ignore[attr-defined]
        for shape in operation.error_shapes
    }
    service_errors = {
        shape.name: int(shape.metadata["error"]["httpStatusCode"])
        for shape in service_model.error_shapes
    }
    queued = tuple(s for s in statuses if s in _QUEUED)
    building = tuple(s for s in statuses if s in _BUILDING)
    return ListJobsModel(
        service_model=service_model,
        operation=operation,
        method_name=xform_name(OPERATION_NAME),
        http_method=operation.http["method"],
        request_uri=operation.http["requestUri"],
        request_required=tuple(input_shape.required_members),
        request_rules=_scalar_rules(input_shape),
        request_locations={
            name: (
                member.serialization.get("location", "body"),
                member.serialization.get("name", name),
            )
            for name, member in input_shape.members.items()
        },
        result_key=result_key,
        output_token=paginator["output_token"],
        input_token=paginator["input_token"],
        limit_key=paginator["limit_key"],
        summary_required=tuple(summary_shape.required_members),
        summary_rules=summary_rules,
        statuses=statuses,
        job_types=job_types,
        source_url_types=source_url_types,
        errors=errors,
        error_fields=error_fields,
        queued_statuses=queued,
        building_statuses=building,
        finished_statuses=_ordinary_first(
            tuple(s for s in statuses if s not in queued and s not in building), _FINISHED_ORDER
        ),
        service_errors=service_errors,
    )


@functools.cache
def _partitions() -> tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...]:
    from botocore.loaders import Loader

    out = []
    for partition in Loader().load_data("endpoints")["partitions"]:
        service = partition.get("services", {}).get(SERVICE_NAME, {})
        regions = tuple(
            name for name in service.get("endpoints", {}) if name in partition.get("regions", {})
        )
        out.append((partition["partition"], re.compile(partition["regionRegex"]), regions))
    return tuple(out)


@functools.cache
def regions() -> tuple[str, ...]:
    """Regions of the commercial partition where Amplify has an endpoint, us-east-1 first."""
    for name, _regex, names in _partitions():
        if name == "aws" and names:
            return _ordinary_first(names, ("us-east-1",))
    return ("us-east-1",)


@functools.cache
def partition_for(region: str) -> str:
    """The ARN partition of a region (``aws``, ``aws-cn``, ...), from botocore's endpoint data."""
    for name, regex, names in _partitions():
        if region in names or regex.match(region):
            return name
    return "aws"


def output_shape() -> StructureShape:
    shape = model().operation.output_shape
    assert shape is not None
    return shape


def input_shape() -> StructureShape:
    shape = model().operation.input_shape
    assert shape is not None
    return shape


_REGION_SHAPE = re.compile(r"[a-z]{2,4}(-[a-z]+)+-\d{1,2}")


def is_region(name: str) -> bool:
    """Whether ``name`` is a region of one of botocore's partitions (by name or by pattern)."""
    if not _REGION_SHAPE.fullmatch(name):
        return False
    return any(name in names or regex.fullmatch(name) for _p, regex, names in _partitions())


@functools.cache
def operation_names() -> tuple[str, ...]:
    """Every Amplify operation the installed model has."""
    return tuple(model().service_model.operation_names)


def _operation_model(name: str) -> OperationModel:
    if name == OPERATION_NAME:
        return model().operation
    return operation(name)


def operation(name: str) -> OperationModel:
    """The model of one Amplify operation; ``ValueError`` naming the known ones otherwise."""
    if not isinstance(name, str) or name not in operation_names():
        from pytest_amplify_jobs._text import short_repr

        raise ValueError(
            f"operation={short_repr(name)} is not an Amplify operation; allowed: "
            f"{', '.join(operation_names())}"
        )
    return model().service_model.operation_model(name)


@functools.cache
def structure(name: str) -> StructureShape:
    """A structure of the model by its name (``"App"``, ``"Branch"``, ``"Webhook"``...).

    >>> "appArn" in structure("App").members
    True
    """
    shape = model().service_model.shape_for(name)
    if shape.type_name != "structure":
        raise ValueError(f"name={name!r} is not a structure of the Amplify model")
    return shape  # type: ignore[return-value]
