"""The one generator: app ids, branch names, tokens, job summaries, coherent histories, pages.

Every function takes a :class:`~pytest_amplify_jobs._choices.Choices` and knows nothing of where
its choices come from (Hypothesis or a seeded ``random.Random``) nor of stubbing or pytest.

Few choices are drawn per job (a status, a job type and one integer, the *flavour*); everything
else (commit SHA, message, durations, ARN) is derived, so Hypothesis stays fast on long
histories and shrinks to short, readable ones.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from pytest_amplify_jobs import _departures, _model
from pytest_amplify_jobs._coherence import ANY_SCENARIO, Scenario, job_kind

if TYPE_CHECKING:
    from pytest_amplify_jobs._choices import Choices

UTC = dt.timezone.utc
# Histories start at 2024-01-01T00:00:00Z plus a drawn offset: shrinks to a round date. The
# generator counts time in UTC; what it hands out is in tzlocal() (see local).
_EPOCH_UTC = dt.datetime(2024, 1, 1, tzinfo=UTC)
_EPOCH_SPREAD = 2 * 365 * 24 * 3600
FLAVOUR_MAX = 2**32 - 1
_MASK64 = 2**64 - 1
_ACCOUNT_BASE = 123456789012
_APP_ID_LENGTH = 14  # "d" + 13, as the console shows them
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_HEX = "0123456789abcdef"

_BRANCHES = (
    "main",
    "develop",
    "staging",
    "production",
    "feature/login",
    "feature/checkout-v2",
    "fix/typo-in-footer",
    "release/2024.05",
    "dependabot/npm_and_yarn/axios-1.7.4",
    "pr-42",
)
_VERBS = ("Fix", "Add", "Update", "Remove", "Refactor", "Bump", "Improve", "Revert")
_OBJECTS = (
    "login redirect",
    "checkout page",
    "README",
    "footer links",
    "build settings",
    "dependencies",
    "navigation bar",
    "image loading",
    "amplify.yml",
    "404 page",
    "unit tests",
    "environment variables",
)
# Durations in seconds: how long a build takes, how long before a push gets built.
_BUILD_SECONDS = (45, 1800)
_GAP_SECONDS = (60, 3 * 24 * 3600)
_COMMIT_LAG_SECONDS = (0, 900)


def mix(value: int, salt: int) -> int:
    """splitmix64: cheap, well-spread derived integers from one drawn integer."""
    z = (value * 0x9E3779B97F4A7C15 + salt * 0xBF58476D1CE4E5B9 + 0x94D049BB133111EB) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def _in(value: int, bounds: tuple[int, int]) -> int:
    lo, hi = bounds
    return lo + value % (hi - lo + 1)


def _base36(value: int, width: int) -> str:
    out = []
    for _ in range(width):
        value, digit = divmod(value, 36)
        out.append(_BASE36[digit])
    return "".join(out)


# ---------------------------------------------------------------------------------------- time
# The service sends timestamps with milliseconds, and botocore's parser hands them out as aware
# datetimes in tzlocal() (dateutil's, the first of botocore.compat.get_tzinfo_options()). The
# generator counts in UTC, whole milliseconds, and converts what it hands out once (local):
# wall-clock arithmetic in a zone with summer time would move instants across its changes.


@functools.cache
def _tzlocal() -> type[dt.tzinfo]:
    """The class of zone botocore's parser gives timestamps: ``dateutil.tz.tzlocal`` (the
    first of ``botocore.compat.get_tzinfo_options()``)."""
    from botocore.compat import get_tzinfo_options

    zone: type[dt.tzinfo] = get_tzinfo_options()[0]
    return zone


@functools.cache
def _fixed() -> tuple[dt.tzinfo, dt.timedelta] | None:
    """Where the local zone has no summer time (tzlocal's own reading of the ``time``
    module): one ``tzlocal()`` every generated time shares, and its offset; else None."""
    import time

    standard = dt.timedelta(seconds=-time.timezone)
    summer = dt.timedelta(seconds=-time.altzone) if time.daylight else standard
    zone = _tzlocal()()
    if summer != standard or zone.utcoffset(None) != standard:  # pragma: no cover
        return None
    return zone, standard


# Summer time: one tzlocal() per offset. Two datetimes of one tzinfo object compare by their
# wall clocks, which summer time reorders (botocore makes one per timestamp); of one offset,
# the wall clocks keep the instants' order.
_zones: dict[dt.timedelta, dt.tzinfo] = {}


def local_zone(offset: dt.timedelta | None = None) -> dt.tzinfo:
    """A ``tzlocal()``, as botocore's parser gives: where the local zone has no summer time,
    the one every generated time shares; else the one shared by the times of ``offset``."""
    fixed = _fixed()
    if fixed is not None:
        return fixed[0]
    zone = _zones.get(offset) if offset is not None else None
    if zone is None:
        zone = _tzlocal()()
        if offset is not None:
            _zones[offset] = zone
    return zone


def _offset_at(seconds: float) -> tuple[dt.timedelta, int, bool]:
    """The local offset at an instant (summer time), its ``fold``, and whether the offset is
    the same a day before and a day after (then every time within a day of it has it)."""
    import time

    here = time.localtime(seconds).tm_gmtoff
    before = time.localtime(seconds - _DAY).tm_gmtoff
    after = time.localtime(seconds + _DAY).tm_gmtoff
    fold = 0
    if before > here and time.localtime(seconds - (before - here)).tm_gmtoff == before:
        fold = 1  # the clocks went back: this wall time was shown once before, at ``before``
    return dt.timedelta(seconds=here), fold, before == here == after


def local(moment: dt.datetime) -> dt.datetime:
    """``moment`` (aware) as botocore hands a timestamp out: the same instant in a
    ``tzlocal()`` (see :func:`local_zone`).

    tzlocal's own conversion costs some 20 µs: the offset is added directly instead, read once
    where the local zone has no summer time (UTC on most CI machines), else from
    ``time.localtime`` (and, within a day of a change, checked against tzlocal's reading).

    >>> moment = dt.datetime(2024, 7, 1, 12, 0, 0, 250000, tzinfo=UTC)
    >>> here = local(moment)
    >>> here.timestamp() == moment.timestamp(), type(here.tzinfo).__name__, here.microsecond
    (True, 'tzlocal', 250000)
    """
    if isinstance(moment.tzinfo, _tzlocal()):
        return moment
    given = moment.utcoffset() or _NO_TIME
    fixed = _fixed()
    if fixed is not None:
        zone, offset = fixed
        return (moment + (offset - given)).replace(tzinfo=zone)
    offset, fold, stable = _offset_at(moment.timestamp())
    out = (moment + (offset - given)).replace(tzinfo=local_zone(offset), fold=fold)
    if not stable and out.utcoffset() != offset:  # pragma: no cover - tzlocal reads otherwise
        return moment.astimezone(_tzlocal()())
    return out


_NO_TIME = dt.timedelta(0)
_DAY = 86400


def utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` (aware) in UTC, where the generator counts."""
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def millis(seconds: int, thousandths: int = 0) -> dt.timedelta:
    """A duration of whole milliseconds."""
    return dt.timedelta(0, seconds, thousandths * 1000)


def epoch() -> dt.datetime:
    """2024-01-01T00:00:00Z, where generated histories start (plus a drawn offset), in
    tzlocal(); also the module's ``EPOCH`` (computed on first use: botocore stays unimported
    until then)."""
    return local(_EPOCH_UTC)


def __getattr__(name: str) -> dt.datetime:
    if name == "EPOCH":
        return epoch()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------------- identities


def draw_app_id(c: Choices, realistic: bool = True) -> str:
    """``d`` + 13 base-36 characters (realistic), or anything the model's appId rule allows."""
    rule = _model.model().request_rules["appId"]
    if realistic:
        return _app_id_from(c.integer(0, FLAVOUR_MAX))
    max_len = rule.max or _APP_ID_LENGTH
    return "d" + c.text(max(1, (rule.min or 1) - 1), max_len - 1, _BASE36)


def draw_branch_name(c: Choices, realistic: bool = True) -> str:
    """A common branch name (realistic), or any text the model's branchName rule allows."""
    if realistic:
        return c.sampled(_BRANCHES)
    rule = _model.model().request_rules["branchName"]
    return c.text(rule.min or 1, rule.max or 255)


def draw_region(c: Choices) -> str:
    return c.sampled(_model.regions())


def _app_id_from(identity: int) -> str:
    return "d" + _base36(mix(identity, 1), _APP_ID_LENGTH - 1)


def account_from(identity: int) -> str:
    # identity 0 (where Hypothesis shrinks) gives the familiar 123456789012.
    return f"{(_ACCOUNT_BASE + (mix(identity, 2) if identity else 0)) % 10**12:012d}"


def realistic_token(salt: int, index: int) -> str:
    """An opaque token; the index prefix makes tokens of one chain unique by construction."""
    digest = hashlib.sha256(f"{salt}:{index}".encode()).digest()
    return base64.b64encode(index.to_bytes(4, "big") + digest + digest[:8]).decode()


def draw_token(c: Choices, realistic: bool = True, index: int = 0) -> str:
    """A valid nextToken: opaque base64 (realistic), or any 1..max characters."""
    if realistic:
        return realistic_token(c.integer(0, FLAVOUR_MAX), index)
    return _usable_token(c.text(1, _model.model().token_max))


# botocore's paginator reads the string "None" as "no token" and stops sending it.
UNUSABLE_TOKENS = frozenset({"None"})


def _usable_token(token: str) -> str:
    return token + "~" if token in UNUSABLE_TOKENS else token


def unique_tokens(c: Choices, count: int, realistic: bool, salt: int | None = None) -> list[str]:
    """``count`` distinct tokens; realistic ones from ``salt`` (drawn when None)."""
    if realistic:
        salt = c.integer(0, FLAVOUR_MAX) if salt is None else salt
        return [realistic_token(salt, i) for i in range(count)]
    max_len = _model.model().token_max
    tokens: list[str] = []
    seen: set[str] = set()
    for i in range(count):
        token = _usable_token(c.text(1, max_len - 1))
        counter = i
        while token in seen:  # botocore's paginator raises on a repeated token
            suffix = f"~{counter}"
            token = token[: max_len - len(suffix)] + suffix
            counter += count
        seen.add(token)
        tokens.append(token)
    return tokens


# ----------------------------------------------------------------------------------- job draws


class JobDraw(NamedTuple):
    """The few choices drawn for one job; everything else is derived from them."""

    status: str
    job_type: str
    flavour: int
    derived: int  # mix(flavour): 64 bits sliced by build_job and gap_before
    commit_message: str | None = None  # drawn only when not realistic
    commit_id: str | None = None
    source: int = 0  # 0: no source URL, 1..: which source URL type (+1)


@functools.cache
def status_table(realistic: bool) -> tuple[str, ...]:
    """Statuses to sample from, ordinary first; realistic tables weight SUCCEED and FAILED."""
    m = _model.model()
    ordered = m.statuses_ordinary_first
    if not realistic:
        return ordered
    weights = {"SUCCEED": 6, "FAILED": 2}
    return tuple(s for s in ordered for _ in range(weights.get(s, 1)))


@functools.cache
def job_type_table(realistic: bool) -> tuple[str, ...]:
    ordered = _model.model().job_types_ordinary_first
    if not realistic:
        return ordered
    return (ordered[0],) * 3 + ordered


@dataclass(frozen=True)
class JobDrawer:
    """Draws one :class:`JobDraw`; a hashable callable so Hypothesis strategies can be cached."""

    realistic: bool = True
    statuses: tuple[str, ...] | None = None
    job_types: tuple[str, ...] | None = None

    @property
    def top(self) -> int:
        """The largest integer :meth:`from_int` reads: (status, job type) pair, then flavour."""
        return len(_pairs(self.realistic, self.statuses, self.job_types)) * (FLAVOUR_MAX + 1) - 1

    def from_int(self, value: int) -> JobDraw:
        """A realistic job from one integer: ``value % pairs`` picks the (status, job type)
        pair, the quotient is the flavour. Small integers (which Hypothesis draws often) still
        cover every pair, and the smallest integer with a wanted status is that pair with
        flavour 0: shrinking reaches the ordinary status, type and flavour."""
        pairs = _pairs(self.realistic, self.statuses, self.job_types)
        flavour, index = divmod(value, len(pairs))
        status, job_type = pairs[index]
        types = _model.model().source_url_types
        source = 1 + flavour % len(types) if types else 0
        return JobDraw(status, job_type, flavour, mix(flavour, 5), source=source)

    def __call__(self, c: Choices) -> JobDraw:
        if self.realistic:
            return self.from_int(c.integer(0, self.top))
        m = _model.model()
        # One choice for the pair: status-major, so it shrinks to the ordinary status first.
        status, job_type = c.sampled(_pairs(self.realistic, self.statuses, self.job_types))
        flavour = c.integer(0, FLAVOUR_MAX)
        rules = m.summary_rules
        message = c.text(0, rules["commitMessage"].max or 10000)
        commit_id = c.text(0, rules["commitId"].max or 255) if c.chance(30) else None
        source = c.integer(0, len(m.source_url_types)) if m.source_url_types else 0
        return JobDraw(status, job_type, flavour, mix(flavour, 5), message, commit_id, source)


@functools.cache
def _pairs(
    realistic: bool, statuses: tuple[str, ...] | None, job_types: tuple[str, ...] | None
) -> tuple[tuple[str, str], ...]:
    # The job types asked for keep the table's weights (ordinary first, WEB_HOOK most often).
    types = tuple(t for t in job_type_table(realistic) if job_types is None or t in job_types)
    return tuple(
        (status, job_type) for status in statuses or status_table(realistic) for job_type in types
    )


#: Percent of drawn apps deployed manually; the others are connected to a repository.
MANUAL_APPS = 25


def kind_types(manual: bool, job_types: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The job types an app of one kind makes, of ``job_types`` (None: every type), ordinary
    first. AWS's API reference, JobSummary: MANUAL "is for a manually deployed app. Manually
    deployed apps are not connected to a Git repository"; RELEASE "is available only for apps
    that are connected to a repository" (so are webhook builds, and retries of them).

    >>> kind_types(False), kind_types(True), kind_types(True, ("RELEASE",))
    (('WEB_HOOK', 'RELEASE', 'RETRY'), ('MANUAL',), ())
    """
    m = _model.model()
    return tuple(
        t for t in job_types or m.job_types_ordinary_first if (t == m.manual_job_type) == manual
    )


def draw_manual(c: Choices, job_types: tuple[str, ...] | None = None) -> bool:
    """Whether an app is deployed manually: the kind ``job_types`` allow, drawn (one app in
    four manual) when they allow both; shrinks toward an app connected to a repository."""
    if not kind_types(True, job_types):
        return False
    if not kind_types(False, job_types):
        return True
    return c.chance(MANUAL_APPS)


def of_kind(draw: JobDraw, manual: bool) -> JobDraw:
    """``draw`` as a job of an app of one kind: its job type kept where that kind makes it,
    else the kind's most ordinary one (``MANUAL``, or ``WEB_HOOK``)."""
    types = kind_types(manual)
    return draw if draw.job_type in types else draw._replace(job_type=types[0])


def is_manual_history(jobs: Sequence[Mapping[str, Any]]) -> bool | None:
    """Whether a history is a manual app's (its first job's kind, see ``job_kind``); None
    for no jobs."""
    return job_kind(jobs[0]) if jobs else None


@dataclass(frozen=True)
class BranchContext:
    """What every job of one branch shares."""

    app_id: str
    branch_name: str
    region: str
    account: str
    realistic: bool = True
    identity: int = 0  # the one drawn integer; salts, tokens and request ids derive from it
    complete: bool = False  # model-complete jobs: no departures of the service (see depart)

    @functools.cached_property
    def arn_prefix(self) -> str:
        return (
            f"arn:{_model.partition_for(self.region)}:amplify:{self.region}:{self.account}:"
            f"apps/{self.app_id}/branches/{self.branch_name}/jobs/"
        )

    def job_arn(self, job_id: str) -> str:
        return f"{self.arn_prefix}{job_id:0>10}"


def _commit_sha(flavour: int) -> str:
    return hashlib.blake2b(flavour.to_bytes(8, "big"), digest_size=20).hexdigest()


def _commit_message(derived: int) -> str:
    verb = _VERBS[(derived & 0xFF) % len(_VERBS)]
    obj = _OBJECTS[((derived >> 8) & 0xFF) % len(_OBJECTS)]
    return f"{verb} {obj}"


def _fine(draw: JobDraw) -> int:
    """A second derived integer, for what the first leaves out: milliseconds (bits 0-29, ten
    each: commit lag, build time, gap before) and bit 30 (a manual deploy listed with jobType)."""
    return mix(draw.derived, 6)


def build_job(
    ctx: BranchContext,
    job_id: int,
    draw: JobDraw,
    start: dt.datetime,
    *,
    status: str | None = None,
    retry_of: dict[str, Any] | None = None,
    fine: int | None = None,
) -> dict[str, Any]:
    """One JobSummary from its draw and its place in the timeline (``status`` overrides).

    ``start`` is any aware datetime; the summary's times are whole milliseconds in tzlocal(),
    as botocore hands them out (see :func:`local`). ``fine`` is ``_fine(draw)`` when known.
    """
    m = _model.model()
    status = status or draw.status
    start = utc(start)
    # One derived integer, sliced: bits 0-15 message, 16-31 commit lag, 32-47 build time
    # (48-63 are the gap before the job, see build_history); milliseconds from _fine.
    derived = draw.derived
    fine = _fine(draw) if fine is None else fine
    job_id_text = str(job_id)
    summary: dict[str, Any] = {
        "jobArn": ctx.arn_prefix + job_id_text.zfill(10),
        "jobId": job_id_text,
    }
    job_type = draw.job_type
    is_manual = job_type == m.manual_job_type
    if retry_of is not None and job_type == m.retry_job_type:
        # A retry rebuilds the previous job's commit (what of it the service listed):
        # aws-amplify/amplify-hosting#2100, RETRY "uses whatever commit applies to the job
        # being retried".
        for member in ("commitId", "commitMessage", "commitTime"):
            if member in retry_of:
                summary[member] = retry_of[member]
        if "commitId" not in retry_of:  # a retry of a deploy without a commit rebuilds HEAD
            summary["commitId"], summary["commitTime"] = "HEAD", start
    else:
        if draw.commit_id is not None:
            summary["commitId"] = draw.commit_id
        else:
            summary["commitId"] = (
                "HEAD" if is_manual or _builds_head(draw) else _commit_sha(draw.flavour)
            )
        if draw.commit_message is not None:
            summary["commitMessage"] = draw.commit_message
        elif is_manual:
            summary["commitMessage"] = "Manual deployment"
        else:
            summary["commitMessage"] = _commit_message(derived)
        lag = (
            dt.timedelta(0)
            if is_manual
            else millis(_in((derived >> 16) & 0xFFFF, _COMMIT_LAG_SECONDS), fine % 1000)
        )
        summary["commitTime"] = start - lag
    summary["startTime"] = start
    summary["status"] = status
    if status in m.finished_statuses:
        summary["endTime"] = start + build_time(draw, fine)
    summary["jobType"] = job_type
    if draw.source and (is_manual or not ctx.realistic) and _has_source_url():
        url_type = m.source_url_types[(draw.source - 1) % len(m.source_url_types)]
        summary["sourceUrl"] = _source_url(ctx, job_id_text, url_type)
        summary["sourceUrlType"] = url_type
    _localize(summary)
    if not ctx.complete:
        depart(summary, job_origin(job_type, summary.get("commitId")), typed=bool(fine >> 30 & 1))
    return summary


_TIMES = ("commitTime", "startTime", "endTime")


def _localize(summary: dict[str, Any]) -> None:
    """The summary's times (UTC, or already local) in tzlocal(), in place: :func:`local`,
    with its fixed-offset case inline (three times per job of a 100,000-job history)."""
    fixed = _fixed()
    if fixed is None:
        # Summer time: one reading of the offset serves the job's times (within minutes of
        # its start) unless the offset changes within a day of it.
        offset, _fold, stable = _offset_at(summary["startTime"].timestamp())
        if stable:
            fixed = local_zone(offset), offset
    for member in _TIMES:
        value = summary.get(member)
        if value is None:
            continue
        if fixed is not None and value.tzinfo is UTC:
            summary[member] = (value + fixed[1]).replace(tzinfo=fixed[0])
        else:
            summary[member] = local(value)


def _builds_head(draw: JobDraw) -> bool:
    """Whether a RELEASE job was started without a commit (StartJob builds the branch's HEAD):
    one bit of the flavour, so half of generated releases do."""
    return draw.job_type == "RELEASE" and draw.commit_id is None and bool((draw.derived >> 62) & 1)


#: Where a job comes from, as far as the service's answers show it.
ORIGIN_WEBHOOK = "webhook"  # a push (or pull request) built through the repository webhook
ORIGIN_COMMIT = "commit"  # StartJob RELEASE/RETRY naming a commit
ORIGIN_HEAD = "head"  # StartJob RELEASE without commitId (or a RETRY of one): builds HEAD
ORIGIN_MANUAL = "manual"  # CreateDeployment + StartDeployment (or a drag-and-drop deploy)


def job_origin(job_type: str | None, commit_id: object) -> str:
    """Where a job comes from, from its job type and commit.

    >>> job_origin("MANUAL", None), job_origin("RELEASE", "HEAD"), job_origin("WEB_HOOK", "ab12")
    ('manual', 'head', 'webhook')
    >>> job_origin("RETRY", "HEAD"), job_origin("RETRY", "ab12")
    ('head', 'commit')
    """
    m = _model.model()
    if job_type == m.manual_job_type:
        return ORIGIN_MANUAL
    if commit_id == "HEAD":
        return ORIGIN_HEAD
    if job_type == m.job_types_ordinary_first[0]:
        return ORIGIN_WEBHOOK
    return ORIGIN_COMMIT


def depart(summary: dict[str, Any], origin: str, *, typed: bool = False) -> None:
    """Leave out of ``summary`` (in place) what the service leaves out for a job of ``origin``
    (the rows of ``departures()``): a manual deploy has no commit (manual-deploy-summary), and
    is listed with ``jobType`` ``"MANUAL"`` when ``typed``, else without one (the sources
    disagree: the generator makes both); a build of ``HEAD`` has no ``commitMessage`` and no
    ``jobType`` (release-head).

    >>> job = {"commitId": "HEAD", "commitMessage": "m", "commitTime": 0, "jobType": "MANUAL"}
    >>> depart(job, ORIGIN_MANUAL, typed=True)
    >>> job
    {'jobType': 'MANUAL'}
    """
    if origin == ORIGIN_MANUAL:
        row = _departures.by_name("manual-deploy-summary")
        for member in row.together:
            summary.pop(member, None)
        if not typed:
            for member in row.members:
                summary.pop(member, None)
    elif origin == ORIGIN_HEAD:
        summary["commitId"] = "HEAD"
        for member in _departures.by_name("release-head").members:
            summary.pop(member, None)


def recorded_type(job: Mapping[str, Any]) -> str | None:
    """A job's type as the store knows it: its ``jobType``, or for a summary that leaves it
    out, the type the departure implies (no commit at all: a manual deploy; HEAD: a release).

    >>> recorded_type({"jobType": "RETRY"}), recorded_type({}), recorded_type({"commitId": "HEAD"})
    ('RETRY', 'MANUAL', 'RELEASE')
    """
    if "jobType" in job:
        return str(job["jobType"])
    if "commitId" not in job:
        return _model.model().manual_job_type
    return "RELEASE"


@functools.cache
def _has_source_url() -> bool:
    m = _model.model()
    return bool(m.source_url_types) and {"sourceUrl", "sourceUrlType"} <= set(m.summary_rules)


def gap_before(draw: JobDraw, fine: int | None = None) -> dt.timedelta:
    """Idle time between the previous job's end and this job's start, from the top 16 bits
    (and its milliseconds from :func:`_fine`, passed when known)."""
    fine = _fine(draw) if fine is None else fine
    return millis(_in((draw.derived >> 48) * 4, _GAP_SECONDS), (fine >> 20) % 1000)


def build_time(draw: JobDraw, fine: int | None = None) -> dt.timedelta:
    """How long a finished job took, from bits 32-47 (and its milliseconds from :func:`_fine`)."""
    fine = _fine(draw) if fine is None else fine
    return millis(_in((draw.derived >> 32) & 0xFFFF, _BUILD_SECONDS), (fine >> 10) % 1000)


def _source_url(ctx: BranchContext, job_id: str, url_type: str) -> str:
    bucket = f"amplify-deploys-{ctx.account}-{ctx.region}"
    if url_type == "BUCKET_PREFIX":
        return f"s3://{bucket}/{ctx.app_id}/build-{job_id}/"
    return f"https://{bucket}.s3.{ctx.region}.amazonaws.com/{ctx.app_id}/deploy-{job_id}.zip"


def draw_context(
    c: Choices,
    *,
    app_id: str | None,
    branch_name: str | None,
    region: str | None,
    realistic: bool,
    complete: bool = False,
) -> BranchContext:
    """The branch every job of a history shares; ``complete`` makes its jobs model-complete
    (no departures of the service, see :func:`depart`)."""
    # One integer names the app, account, branch and region of a realistic branch: fewer
    # choices, and identity 0 (where Hypothesis shrinks) is main in us-east-1.
    identity = c.integer(0, FLAVOUR_MAX)
    if realistic:
        mixed = mix(identity, 3) if identity else 0
        app_id = app_id if app_id is not None else _app_id_from(identity)
        branch_name = branch_name if branch_name is not None else _BRANCHES[mixed % len(_BRANCHES)]
        regions = _model.regions()
        region = region if region is not None else regions[(mixed >> 8) % len(regions)]
    else:
        app_id = app_id if app_id is not None else draw_app_id(c, realistic)
        branch_name = branch_name if branch_name is not None else draw_branch_name(c, realistic)
        region = region if region is not None else draw_region(c)
    return BranchContext(
        app_id=app_id,
        branch_name=branch_name,
        region=region,
        account=account_from(identity),
        realistic=realistic,
        identity=identity,
        complete=complete,
    )


def draw_summary(
    c: Choices,
    *,
    app_id: str | None = None,
    branch_name: str | None = None,
    statuses: tuple[str, ...] | None = None,
    job_types: tuple[str, ...] | None = None,
    realistic: bool = True,
    complete: bool = False,
) -> dict[str, Any]:
    """One job summary, coherent in itself (its branch history is not drawn); model-complete
    when ``complete``, else as the service lists it (see :func:`depart`)."""
    ctx = draw_context(
        c,
        app_id=app_id,
        branch_name=branch_name,
        region=None,
        realistic=realistic,
        complete=complete,
    )
    draw = JobDrawer(realistic, statuses, job_types)(c)
    # Its id and start come from the flavour too: flavour 0 is job 1 at the epoch.
    job_id = 1 + draw.flavour % 9999
    start = _EPOCH_UTC
    if draw.flavour:
        start += millis((draw.derived >> 20) % _EPOCH_SPREAD, (_fine(draw) >> 40) % 1000)
    return build_job(ctx, job_id, draw, start)


# ----------------------------------------------------------------------------------- histories


def _coherent_statuses(
    draws: Sequence[JobDraw],
    allowed: tuple[str, ...] | None = None,
    pinned: int = 0,
) -> list[str]:
    """Newest first: queued jobs, then at most one building job, then only finished ones.

    The first ``pinned`` draws are kept as drawn (the scenario checked them). A later drawn
    status that would break the order becomes the most ordinary finished status ``allowed``:
    never one the property under test may be looking for, so deleting a job while shrinking
    cannot turn another job into the interesting one. When ``allowed`` has no finished status
    the history stays queued, with at most its oldest job building (the scenario's size check
    makes sure that is enough).
    """
    m = _model.model()
    allowed = allowed or m.statuses
    finished = [s for s in m.finished_statuses if s in allowed]
    queued = [s for s in m.queued_statuses if s in allowed]
    ordinary = finished[0] if finished else None
    queued_allowed = True
    out: list[str] = []
    last = len(draws) - 1
    for index, draw in enumerate(draws):
        status = draw.status
        if index < pinned or (status in m.queued_statuses and queued_allowed):
            queued_allowed = queued_allowed and status in m.queued_statuses
            out.append(status)
            continue
        building_ok = queued_allowed and (ordinary is not None or index == last)
        if not (status in m.finished_statuses or (status in m.building_statuses and building_ok)):
            if ordinary is not None:
                status = ordinary
            elif queued_allowed and queued:
                out.append(queued[0])
                continue
        queued_allowed = False
        out.append(status)
    return out


def build_history(
    ctx: BranchContext,
    draws: Sequence[JobDraw],
    epoch_offset: int,
    scenario: Scenario = ANY_SCENARIO,
) -> list[dict[str, Any]]:
    """A branch's jobs, newest first, ids ``len(draws)..1``, with a coherent timeline; the
    first ``len(scenario.newest)`` draws are the pinned newest jobs."""
    statuses = _coherent_statuses(draws, scenario.statuses, len(scenario.newest))
    finished = _model.model().finished_statuses
    cursor = _EPOCH_UTC + dt.timedelta(seconds=epoch_offset)  # counted in UTC (see local)
    jobs: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    total = len(draws)
    # Build oldest first: each job starts after the previous one ended.
    for index in range(total - 1, -1, -1):
        draw = draws[index]
        fine = _fine(draw)
        start = cursor + gap_before(draw, fine)
        status = statuses[index]
        job = build_job(
            ctx, total - index, draw, start, status=status, retry_of=previous, fine=fine
        )
        cursor = start + build_time(draw, fine) if status in finished else start
        jobs.append(job)
        previous = job
    jobs.reverse()
    return jobs


def draw_history(
    c: Choices,
    ctx: BranchContext,
    *,
    min_size: int,
    max_size: int | None,
    finished_only: bool = False,
    scenario: Scenario = ANY_SCENARIO,
) -> list[dict[str, Any]]:
    """A coherent history of ``min_size..max_size`` jobs holding ``scenario`` (checked, and
    its sizes by :meth:`Scenario.check_size`); ``finished_only`` leaves no job queued or
    building.

    The branch's app is of one kind (:func:`draw_manual`, first): connected to a repository
    (webhook builds, RELEASE, RETRY) or deployed manually (manual deploys only), as the
    service's apps are; ``scenario.job_types`` of one kind decide it.

    The pinned newest jobs are drawn first (their status fixed, the rest of each job drawn),
    then the older ones as a list, so shrinking deletes older jobs and keeps the pinned ones.

    >>> from pytest_amplify_jobs._choices import RandomChoices
    >>> from pytest_amplify_jobs._coherence import check_scenario
    >>> c = RandomChoices(0)
    >>> ctx = draw_context(c, app_id=None, branch_name=None, region=None, realistic=True)
    >>> scenario = check_scenario(ValueError, newest=["PENDING", "RUNNING"])
    >>> history = draw_history(c, ctx, min_size=4, max_size=4, scenario=scenario)
    >>> [job["status"] for job in history][:2]
    ['PENDING', 'RUNNING']
    """
    # One app kind per branch: a repository's builds or manual deploys, never both.
    types = kind_types(draw_manual(c, scenario.job_types), scenario.job_types)
    epoch_offset = c.integer(0, _EPOCH_SPREAD)
    statuses = scenario.statuses
    if finished_only:
        finished = _model.model().finished_statuses
        statuses = tuple(s for s in statuses or status_table(ctx.realistic) if s in finished)
    pinned = [JobDrawer(ctx.realistic, (status,), types)(c) for status in scenario.newest]
    count = len(pinned)
    limit = scenario.max_jobs()
    if limit is not None:
        max_size = limit if max_size is None else min(max_size, limit)
    drawer = JobDrawer(ctx.realistic, statuses, types)
    sizes = (max(0, min_size - count), None if max_size is None else max(0, max_size - count))
    if ctx.realistic:  # one integer per job: the cheapest draw, and it shrinks the same way
        rest = [drawer.from_int(v) for v in c.integers(0, drawer.top, *sizes)]
    else:
        rest = c.many(drawer, *sizes)
    return build_history(ctx, pinned + rest, epoch_offset, scenario)


# -------------------------------------------------------------------------------------- pages


def split_pages(
    c: Choices, jobs: Sequence[dict[str, Any]], page_size: int, realistic: bool
) -> list[list[dict[str, Any]]]:
    """Full pages but the last (realistic), or short and empty intermediate pages too."""
    if not jobs:
        return [[]]
    if realistic:
        return [list(jobs[i : i + page_size]) for i in range(0, len(jobs), page_size)]
    pages: list[list[dict[str, Any]]] = []
    position = 0
    empties = 0
    while position < len(jobs):
        lo = 0 if empties < 2 else 1
        size = page_size - c.integer(0, page_size - lo)  # shrinks toward full pages
        size = min(size, len(jobs) - position)
        empties = empties + 1 if size == 0 else 0
        pages.append(list(jobs[position : position + size]))
        position += size
    return pages


# ------------------------------------------------------------------- apps, branches, steps
# The fake service's store: an app and its branches as GetApp / GetBranch describe them, and
# the steps GetJob shows. One drawn integer (the identity) names everything else.

_APP_NAMES = (
    "storefront",
    "docs-site",
    "marketing-web",
    "admin-console",
    "blog",
    "customer-portal",
    "landing-page",
    "status-page",
)
_FRAMEWORKS = ("React", "Next.js - SSR", "Vue", "Angular", "Gatsby", "Web")
# Where the steps of a finished build sit inside [build start, endTime], as per-mille marks.
_STEP_MARKS = {"BUILD": (0, 700), "DEPLOY": (700, 900), "VERIFY": (900, 1000)}


def app_arn(region: str, account: str, app_id: str) -> str:
    """The ARN of an app.

    >>> app_arn("us-east-1", "123456789012", "d1abc")
    'arn:aws:amplify:us-east-1:123456789012:apps/d1abc'
    """
    return f"arn:{_model.partition_for(region)}:amplify:{region}:{account}:apps/{app_id}"


# What real apps carry beyond the model's required members (tests/published/ 001, 004, 014,
# 021): customRules (every recorded app; the single-page-app rewrite of the console's
# default), enableAutoBranchCreation and enableBranchAutoDeletion false, and on apps connected
# to a repository a buildSpec, repositoryCloneMethod TOKEN, customHeaders "" and tags.
_SPA_RULE = {"source": "/<*>", "target": "/index.html", "status": "404-200"}
_REPOSITORY_HOSTS = ("github.com", "gitlab.com", "bitbucket.org")
_BUILD_SPEC = (
    "version: 1\nfrontend:\n  phases:\n    build:\n      commands:\n        - npm ci\n"
    "        - npm run build\n  artifacts:\n    baseDirectory: dist\n    files:\n"
    "      - '**/*'\n  cache:\n    paths:\n      - node_modules/**/*\n"
)
_APP_VARIABLES: tuple[dict[str, str] | None, ...] = (
    None,  # never set: left out (departure app-unset-members), {} when model-complete
    {"_CUSTOM_IMAGE": "amplify:al2"},
    {"NODE_ENV": "production"},
    None,
)


def draw_app(
    c: Choices,
    *,
    app_id: str | None,
    region: str,
    account: str | None = None,
    complete: bool = True,
    manual: bool = False,
) -> dict[str, Any]:
    """An ``App`` as GetApp returns it, realistic and coherent, of one kind: connected to a
    repository, or deployed ``manual``-ly (no repository: its branches hold manual deploys
    only). Every required member (``complete``), or as the service answers (departure
    ``app-unset-members``): no ``description``; no ``repository`` and no
    ``environmentVariables`` for a manual app; a repository app's ``environmentVariables``
    only when some are set. Beyond the model's required members, as recorded apps carry them:
    ``customRules``, ``enableAutoBranchCreation``, often ``enableBranchAutoDeletion``; a
    repository app sometimes a ``buildSpec``, ``repositoryCloneMethod`` ``TOKEN``,
    ``customHeaders``, ``tags``, and platform ``WEB_COMPUTE`` (server-side rendering). One
    drawn integer decides it all; 0 (where Hypothesis shrinks) is a plain ``WEB`` app.

    >>> from pytest_amplify_jobs._choices import RandomChoices
    >>> app = draw_app(RandomChoices(0), app_id="d1abc", region="us-east-1", account="123456789012")
    >>> app["appArn"], app["defaultDomain"], app["repository"].startswith("https://")
    ('arn:aws:amplify:us-east-1:123456789012:apps/d1abc', 'd1abc.amplifyapp.com', True)
    >>> manual = draw_app(RandomChoices(0), app_id="d1abc", region="us-east-1", complete=False,
    ...                   manual=True)
    >>> sorted({"description", "repository", "environmentVariables"} & set(manual))
    []
    """
    identity = c.integer(0, FLAVOUR_MAX)
    app_id = app_id if app_id is not None else _app_id_from(identity)
    account = account if account is not None else account_from(identity)
    mixed = mix(identity, 7) if identity else 0
    extras = mix(identity, 9) if identity else 0
    name = _APP_NAMES[mixed % len(_APP_NAMES)]
    created = local(
        _EPOCH_UTC - millis(86400 * (30 + (mixed >> 8) % 300), 1000 - (mixed >> 20) % 1000)
    )
    platforms = _model.structure("App").members["platform"].enum  # type: ignore[attr-defined]
    host = _REPOSITORY_HOSTS[(extras >> 5) % len(_REPOSITORY_HOSTS)]
    app: dict[str, Any] = {
        "appId": app_id,
        "appArn": app_arn(region, account, app_id),
        "name": name,
        "description": "",
        "repository": f"https://{host}/example-org/{name}",
        "platform": platforms[0],
        "createTime": created,
        "updateTime": created,
        "environmentVariables": {},
        "defaultDomain": f"{app_id}.amplifyapp.com",
        "enableBranchAutoBuild": not manual and bool(extras >> 15 & 1),
        "enableBasicAuth": False,
        "customRules": [dict(_SPA_RULE)] if extras >> 4 & 1 else [],
        "enableAutoBranchCreation": False,
    }
    if extras >> 13 & 1:
        app["enableBranchAutoDeletion"] = False
    variables = _APP_VARIABLES[(extras >> 7) % len(_APP_VARIABLES)]
    if not manual:
        wanted = ("WEB", "WEB", "WEB", "WEB_COMPUTE", "WEB_COMPUTE", "WEB_DYNAMIC")
        shown = [p for p in wanted if p in platforms]
        app["platform"] = shown[(extras & 0xF) % len(shown)] if shown else platforms[0]
        if variables is not None:
            app["environmentVariables"] = dict(variables)
        if extras >> 9 & 1:
            app["buildSpec"] = _BUILD_SPEC
        if extras >> 10 & 1:
            app["repositoryCloneMethod"] = "TOKEN"
            app["customHeaders"] = ""
        if extras >> 11 & 1:
            app["tags"] = {"team": "web"}
    if not complete:
        del app["description"]
        if manual:
            del app["repository"], app["environmentVariables"]
        elif variables is None:
            del app["environmentVariables"]
    elif manual:
        app["repository"] = ""
    return app


def branch_stage(branch_name: str) -> str:
    """The stage the console suggests for a branch name (``PRODUCTION`` for main, ...).

    >>> branch_stage("main"), branch_stage("pr-42"), branch_stage("feature/login")
    ('PRODUCTION', 'PULL_REQUEST', 'BETA')
    """
    if branch_name in ("main", "master", "production"):
        return "PRODUCTION"
    if branch_name.startswith("pr-"):
        return "PULL_REQUEST"
    if branch_name in ("develop", "dev", "staging"):
        return "DEVELOPMENT"
    return "BETA"


def build_branch(
    app: dict[str, Any],
    branch_name: str,
    created: dt.datetime,
    *,
    complete: bool = True,
    stage: str | None = None,
) -> dict[str, Any]:
    """A ``Branch`` as GetBranch returns it, without the two members derived from its jobs
    (``activeJobId`` and ``totalNumberOfJobs``, which the store fills in).

    ``complete=False`` answers as the service does (departure ``branch-unset-members``): no
    ``description`` or ``customDomains``, and a branch created without a stage is as
    ``create-branch`` without options leaves it: ``stage`` ``"NONE"`` (departure
    ``stage-none``), no ``environmentVariables`` or ``framework``. ``stage`` is the branch's
    stage (``"NONE"``: created without one); None picks one by the name, and (when not
    complete) one branch in three is created without one.

    >>> from pytest_amplify_jobs._choices import RandomChoices
    >>> app = draw_app(RandomChoices(0), app_id="d1abc", region="us-east-1", account="123456789012")
    >>> branch = build_branch(app, "main", epoch())
    >>> branch["branchArn"], branch["stage"], branch["displayName"]
    ('arn:aws:amplify:us-east-1:123456789012:apps/d1abc/branches/main', 'PRODUCTION', 'main')
    >>> sorted(set(branch) - set(build_branch(app, "main", epoch(), complete=False)))
    ['customDomains', 'description']
    """
    flavour = int.from_bytes(hashlib.sha256(branch_name.encode()).digest()[:4], "big")
    created = local(created)
    branch: dict[str, Any] = {
        "branchArn": f"{app['appArn']}/branches/{branch_name}",
        "branchName": branch_name,
        "description": "",
        "stage": stage if stage not in (None, _NO_STAGE) else branch_stage(branch_name),
        "displayName": branch_name.replace("/", "-")[:255],
        "enableNotification": False,
        "createTime": created,
        "updateTime": created,
        "environmentVariables": {},
        "enableAutoBuild": True,
        "customDomains": [],
        "framework": _FRAMEWORKS[flavour % len(_FRAMEWORKS)],
        "enableBasicAuth": False,
        "ttl": "5",
        "enablePullRequestPreview": False,
    }
    if not complete:
        for member in ("description", "customDomains"):
            del branch[member]
        unstaged = stage == _NO_STAGE or (stage is None and (flavour >> 8) % 3 == 0)
        if unstaged:  # as create-branch leaves a branch made without options
            branch["stage"] = _NO_STAGE
            del branch["environmentVariables"], branch["framework"]
    return branch


#: The stage the service reports for a branch created without one (departure stage-none).
_NO_STAGE = "NONE"


def build_steps(
    job: dict[str, Any], built_from: dt.datetime | None = None, *, fails_at: str | None = None
) -> list[dict[str, Any]]:
    """The steps GetJob shows for a job summary: none until it finishes (the model requires
    every step's ``endTime``), then BUILD, DEPLOY, VERIFY inside ``[built_from, endTime]``.

    A success succeeds every step; a failure fails BUILD or DEPLOY (derived from the job id);
    a cancelled build shows a cancelled BUILD; a job cancelled before it built has no steps.
    Manual deploys have no BUILD step.

    Step times are whole milliseconds in tzlocal(), as botocore hands them out.

    >>> job = {"jobId": "3", "jobType": "RELEASE", "status": "SUCCEED",
    ...        "startTime": epoch(), "endTime": epoch() + dt.timedelta(seconds=100)}
    >>> [(s["stepName"], s["status"], s["endTime"].timestamp() - epoch().timestamp())
    ...  for s in build_steps(job)]
    [('BUILD', 'SUCCEED', 70.0), ('DEPLOY', 'SUCCEED', 90.0), ('VERIFY', 'SUCCEED', 100.0)]
    """
    m = _model.model()
    end = job.get("endTime")
    status = job["status"]
    if end is None or status not in m.finished_statuses:
        return []
    begin = built_from if built_from is not None and built_from <= end else job["startTime"]
    if status == "CANCELLED" and built_from is None and end == job["startTime"]:
        return []
    names = ["BUILD", "DEPLOY", "VERIFY"]
    if recorded_type(job) == m.manual_job_type:
        names = ["DEPLOY", "VERIFY"]
    outcomes: list[str]
    if status == "SUCCEED":
        outcomes = ["SUCCEED"] * len(names)
    elif status == "CANCELLED":
        names, outcomes = names[:1], ["CANCELLED"]
    else:
        failing = min(int(job["jobId"]) % 2, len(names) - 1)
        if fails_at in names:
            failing = names.index(fails_at)
        names = names[: failing + 1]
        outcomes = ["SUCCEED"] * failing + [status]
    # Counted in UTC, whole milliseconds (see local).
    begin, end = utc(begin), utc(end)
    span = (end - begin) // _MILLISECOND
    steps = []
    for index, (name, outcome) in enumerate(zip(names, outcomes, strict=True)):
        lo, hi = _STEP_MARKS[name]
        last = index == len(names) - 1
        steps.append(
            {
                "stepName": name,
                "startTime": local(begin + _MILLISECOND * (span * lo // 1000)),
                "status": outcome,
                "endTime": local(end if last else begin + _MILLISECOND * (span * hi // 1000)),
            }
        )
    return steps


_MILLISECOND = dt.timedelta(milliseconds=1)


def artifact_url(region: str, path: str) -> str:
    """A presigned-looking URL in the form the service hands out for uploads, logs and
    artifacts (``aws-amplify-prod-REGION-artifacts``): generated responses only; the fake
    hands out URLs of its own local endpoint instead.

    >>> artifact_url("us-east-1", "logs/d1abc/main/0000000003/BUILD/log.txt").split("?")[0]
    'https://aws-amplify-prod-us-east-1-artifacts.s3.us-east-1.amazonaws.com/d1abc/main/0000000003/BUILD/log.txt'
    """
    digest = hashlib.sha256(path.encode()).hexdigest()[:32]
    key = path.split("/", 1)[1] if "/" in path else path
    return (
        f"https://aws-amplify-prod-{region}-artifacts.s3.{region}.amazonaws.com/{key}"
        f"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature={digest}"
    )


def _quote(text: str) -> str:
    import urllib.parse  # only the fake's deployments need it

    return urllib.parse.quote(text, safe="")


def renumber(ctx: BranchContext, jobs: Sequence[dict[str, Any]], newest_id: int) -> None:
    """Give a history (newest first, ids ``n..1``) the ids ``newest_id`` downwards, in place:
    ``jobId`` and the ARN derived from it; ``newest_id`` must leave every id positive.

    >>> from pytest_amplify_jobs._choices import RandomChoices
    >>> c = RandomChoices(0)
    >>> ctx = draw_context(c, app_id=None, branch_name=None, region=None, realistic=True)
    >>> jobs = draw_history(c, ctx, min_size=2, max_size=2)
    >>> renumber(ctx, jobs, 57)
    >>> [j["jobId"] for j in jobs], jobs[0]["jobArn"].endswith("/jobs/0000000057")
    (['57', '56'], True)
    """
    if newest_id < len(jobs):
        raise ValueError(f"newest_id={newest_id} leaves ids below 1 for {len(jobs)} jobs")
    for index, job in enumerate(jobs):
        job_id = str(newest_id - index)
        job["jobId"] = job_id
        job["jobArn"] = ctx.arn_prefix + job_id.zfill(10)


def build_log(job: dict[str, Any], step: dict[str, Any]) -> str:
    """The text of a step's log, as Amplify's build logs read (timestamped phase lines).

    >>> job = {"jobId": "3", "commitId": "HEAD"}
    >>> step = {"stepName": "BUILD", "status": "FAILED", "startTime": epoch(), "endTime": epoch()}
    >>> print(build_log(job, step).splitlines()[-1])
    2024-01-01T00:00:00.000Z [ERROR]: !!! Build failed
    """

    def at(moment: dt.datetime) -> str:
        moment = utc(moment)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

    start, end = step["startTime"], step["endTime"]
    name = step["stepName"]
    lines = [
        f"{at(start)} [INFO]: # Starting phase: {name.lower()}",
        f"{at(start)} [INFO]: # Job {job['jobId']}, commit {job.get('commitId', 'none')}",
    ]
    if step["status"] == "SUCCEED":
        lines.append(f"{at(end)} [INFO]: # Completed phase: {name.lower()}")
    elif step["status"] == "CANCELLED":
        lines.append(f"{at(end)} [INFO]: # Job cancelled")
    else:
        lines.append(f"{at(end)} [ERROR]: !!! {name.capitalize()} failed")
    return "\n".join(lines) + "\n"
