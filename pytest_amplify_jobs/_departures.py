"""Where the real Amplify service departs from its botocore model: one table, each row sourced.

The botocore model is the source of truth for *shapes*; the service is the source of truth for
what it *sends*. It leaves out members its model calls required and sends values its enums lack.
Every such departure is one :class:`Departure` row in :data:`DEPARTURES`, with the public source
that shows it (AWS documentation, an issue thread, recorded CLI output). Everything else reads
this table: the validators accept a departure by default (``model_strict=True`` refuses it),
the generator produces it (``model_complete=True`` does not), and the fake answers with it.

Adding a row: name it, say which shape and member it concerns, which operations' answers show
it (empty: every answer holding that shape), when the service does it, and where that is
published. A row is accepted only in the combination it describes (``together``, ``kept``,
``only_when``): a summary of a webhook build with a commit but no ``jobType`` is no departure
of any row, although ``jobType`` alone is left out by two of them. A test of
``tests/test_departures.py`` checks every row against the installed model (the shape exists,
the member is required or the value is outside the enum) so a row that a newer botocore model
makes moot is noticed.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "DEPARTURES",
    "Departure",
    "by_name",
    "departures",
    "explained",
    "missing_departure",
    "value_departure",
]


@dataclass(frozen=True)
class Departure:
    """One way the service departs from its model.

    ``kind`` is ``"omits"`` (the service leaves out ``members`` of ``shape`` although the model
    requires them) or ``"value"`` (member ``members[0]`` of ``shape`` holds ``value``, which the
    model's enum lacks). ``operations`` names the operations whose answers show it (empty:
    any answer that holds ``shape``).

    The combination the row describes: ``together`` are members it leaves out all at once
    (while one of them is there, the row explains none); ``kept`` are ``(member, value)``: a
    member of ``members`` the row may also keep, then holding that value; ``only_when`` are
    ``(member, other, value)``: the row leaves ``member`` (``"*"``: any of its members) out
    only when ``other`` holds ``value``.
    """

    name: str
    kind: Literal["omits", "value"]
    shape: str
    members: tuple[str, ...]
    when: str
    sources: tuple[str, ...]
    operations: tuple[str, ...] = ()
    value: str | None = None
    together: tuple[str, ...] = ()
    kept: tuple[tuple[str, str], ...] = ()
    only_when: tuple[tuple[str, str, str], ...] = ()

    def applies_to(self, operation: str | None) -> bool:
        return not self.operations or operation in self.operations

    def where(self) -> str:
        """Where the service does it, in words."""
        if not self.operations:
            return f"in every answer holding a {self.shape}"
        return "only in " + ", ".join(self.operations) + " answers"

    def explains(self, structure: Mapping[str, Any], missing: frozenset[str], member: str) -> bool:
        """Whether this row explains ``member`` missing from ``structure`` (of its shape), when
        ``missing`` are all the members it lacks: the combination the row describes.

        >>> row = by_name("release-head")
        >>> row.explains({"commitId": "HEAD"}, frozenset({"commitMessage", "jobType"}), "jobType")
        True
        >>> row.explains({"commitId": "4f2a"}, frozenset({"jobType"}), "jobType")
        False
        """
        if self.kind != "omits" or member not in self.members:
            return False
        if not missing >= set(self.together):
            return False
        for kept, value in self.kept:
            if kept in structure and structure[kept] != value:
                return False
        return all(
            structure.get(other) == value
            for left_out, other, value in self.only_when
            if left_out in ("*", member)
        )

    def combination(self) -> str:
        """The combination the row describes, in words ("" when any member may be missing on
        its own).

        >>> by_name("manual-deploy-summary").combination()
        "commitId, commitMessage and commitTime all left out, jobType 'MANUAL' or none"
        """
        parts = []
        if len(self.together) > 1:
            *first, last = self.together
            both = "both" if len(self.together) == 2 else "all"
            parts.append(f"{', '.join(first)} and {last} {both} left out")
        parts += [f"{member} {value!r} or none" for member, value in self.kept]
        for member, other, value in self.only_when:
            who = "" if member == "*" else f"{member} "
            parts.append(f"{who}only when {other} is {value!r}")
        return ", ".join(parts)


_USER_GUIDE_SSR = "https://docs.aws.amazon.com/amplify/latest/userguide/troubleshooting-SSR.html"
_API_JOB_SUMMARY = "https://docs.aws.amazon.com/amplify/latest/APIReference/API_JobSummary.html"
_BALIONIS = (
    "https://github.com/balionis-arvydas/balionis-aws/blob/"
    "4abc850b866a293788b96a6e9e79f2da94d312d4/balionis-aws08/web/README.md"
)
_BALIONIS_EARLIER = (
    "https://github.com/balionis-arvydas/balionis-aws/blob/"
    "1cf10c825a64ff010c226850d17e15a327916e17/balionis-aws8/web/README.md"
)

DEPARTURES: tuple[Departure, ...] = (
    Departure(
        name="start-deployment-summary",
        kind="omits",
        shape="JobSummary",
        members=("commitId", "commitMessage", "commitTime", "jobType", "startTime"),
        operations=("StartDeployment",),
        when=(
            "StartDeployment answers its jobSummary with only jobArn, jobId and status "
            "(PENDING), whether it starts a CreateDeployment job or a sourceUrl"
        ),
        sources=(
            _BALIONIS + " (start-deployment output, 2020)",
            _BALIONIS_EARLIER + " (start-deployment output, 2020)",
        ),
        together=("commitId", "commitMessage", "commitTime", "jobType", "startTime"),
    ),
    Departure(
        name="start-job-summary",
        kind="omits",
        shape="JobSummary",
        members=("commitMessage", "jobType", "startTime"),
        operations=("StartJob",),
        when=(
            "StartJob answers its jobSummary without startTime, commitMessage or jobType: "
            'jobArn, jobId, commitId ("HEAD" for a RELEASE without one), commitTime and '
            "status PENDING"
        ),
        sources=(
            "https://github.com/aws/aws-cli/issues/7883 (start-job output, posted by AWS, 2024)",
        ),
        together=("commitMessage", "jobType", "startTime"),
    ),
    Departure(
        name="manual-deploy-summary",
        kind="omits",
        shape="JobSummary",
        members=("commitId", "commitMessage", "commitTime", "jobType"),
        when=(
            "a manual deploy (CreateDeployment + StartDeployment, a sourceUrl, or a "
            "drag-and-drop upload) has no commit: commitId, commitMessage and commitTime are "
            "left out together (its StartDeployment answer has none; AWS's API reference: "
            "manually deployed apps are not connected to a Git repository). Its jobType is "
            'MANUAL ("the job is for a manually deployed app", the API reference); whether '
            "ListJobs and GetJob send it is not recorded at an address we could cite, so, our "
            'choice, generated manual deploys sometimes carry jobType "MANUAL" and sometimes '
            "none (what code can rely on least)"
        ),
        sources=(
            _API_JOB_SUMMARY + " (jobType MANUAL: a manually deployed app, no Git repository)",
            _BALIONIS + " (start-deployment of a manual deploy: no commit)",
            "https://github.com/aws-amplify/amplify-hosting/issues/2100 "
            "(MANUAL: not applicable to a branch connected to a repository)",
        ),
        together=("commitId", "commitMessage", "commitTime"),
        kept=(("jobType", "MANUAL"),),
    ),
    Departure(
        name="release-head",
        kind="omits",
        shape="JobSummary",
        members=("commitMessage", "jobType"),
        when=(
            "a RELEASE job started by StartJob without commitId builds the branch's HEAD: "
            'commitId is "HEAD", commitTime is about its startTime, and commitMessage and '
            "jobType are left out; a RETRY of it rebuilds that commit (amplify-hosting#2100: "
            'RETRY "uses whatever commit applies to the job being retried"), and, our choice '
            "(no recorded listing), is listed the same way"
        ),
        sources=(
            _USER_GUIDE_SSR + " (get-job output of a job started with start-job)",
            "https://github.com/aws-amplify/amplify-hosting/issues/751",
            "https://github.com/aws-amplify/amplify-hosting/issues/2100",
        ),
        together=("commitMessage", "jobType"),
        only_when=(("*", "commitId", "HEAD"),),
    ),
    Departure(
        name="app-unset-members",
        kind="omits",
        shape="App",
        members=("description", "repository", "environmentVariables"),
        when=(
            "an app leaves out what was never set: description (every recorded app), "
            "repository (an app for manual deploys, not connected to one), and "
            "environmentVariables (until some are set)"
        ),
        sources=(
            _BALIONIS + " (create-app output)",
            _BALIONIS_EARLIER + " (create-app output)",
        ),
    ),
    Departure(
        name="branch-unset-members",
        kind="omits",
        shape="Branch",
        members=(
            "description",
            "customDomains",
            "environmentVariables",
            "framework",
            "activeJobId",
        ),
        when=(
            "a branch leaves out what was never set: description, customDomains, "
            "environmentVariables and framework, and activeJobId before its first job "
            '(totalNumberOfJobs "0")'
        ),
        sources=(
            _BALIONIS + " (create-branch output)",
            "https://github.com/ptcodes/ptcodes.github.io/blob/ba703b9195ec4399f0f2fe9d4041790624bb326c/"
            "_posts/2020-05-28-static-blog-with-jekyll-and-amazon-amplify.md (create-branch output)",
        ),
        only_when=(("activeJobId", "totalNumberOfJobs", "0"),),
    ),
    Departure(
        name="webhook-unset-description",
        kind="omits",
        shape="Webhook",
        members=("description",),
        when="a webhook created without a description has no description member",
        sources=(
            "https://github.com/aws-amplify/amplify-hosting/issues/475 (create-webhook output)",
        ),
    ),
    Departure(
        name="domain-without-status-reason",
        kind="omits",
        shape="DomainAssociation",
        members=("statusReason",),
        when="a domain association has no statusReason while nothing went wrong (every recorded one)",
        sources=(
            "https://github.com/ptcodes/ptcodes.github.io/blob/ba703b9195ec4399f0f2fe9d4041790624bb326c/"
            "_posts/2020-05-28-static-blog-with-jekyll-and-amazon-amplify.md "
            "(create-domain-association output)",
            _BALIONIS_EARLIER + " (create-domain-association, get-domain-association output)",
            _BALIONIS + " (create-domain-association output)",
        ),
    ),
    Departure(
        name="stage-none",
        kind="value",
        shape="Branch",
        members=("stage",),
        value="NONE",
        when='a branch created without a stage reports stage "NONE", a value the Stage enum lacks',
        sources=(
            _BALIONIS + " (create-branch output)",
            "https://github.com/ptcodes/ptcodes.github.io/blob/ba703b9195ec4399f0f2fe9d4041790624bb326c/"
            "_posts/2020-05-28-static-blog-with-jekyll-and-amazon-amplify.md (create-branch output)",
        ),
    ),
)


def departures() -> tuple[Departure, ...]:
    """The recorded departures of the service from its model, each with its sources.

    >>> [d.name for d in departures()][:3]
    ['start-deployment-summary', 'start-job-summary', 'manual-deploy-summary']
    """
    return DEPARTURES


@functools.cache
def _omissions() -> dict[tuple[str, str], tuple[Departure, ...]]:
    out: dict[tuple[str, str], tuple[Departure, ...]] = {}
    for row in DEPARTURES:
        if row.kind == "omits":
            for member in row.members:
                out[row.shape, member] = (*out.get((row.shape, member), ()), row)
    return out


@functools.cache
def _values() -> dict[tuple[str, str, str], tuple[Departure, ...]]:
    out: dict[tuple[str, str, str], tuple[Departure, ...]] = {}
    for row in DEPARTURES:
        if row.kind == "value" and row.value is not None:
            key = (row.shape, row.members[0], row.value)
            out[key] = (*out.get(key, ()), row)
    return out


def missing_departure(
    shape: str, member: str, operation: str | None
) -> tuple[Departure | None, tuple[Departure, ...]]:
    """The departure that lets ``operation``'s answer leave ``member`` of ``shape`` out (or
    None), and every departure that leaves it out elsewhere (for messages).

    >>> missing_departure("JobSummary", "startTime", "StartDeployment")[0].name
    'start-deployment-summary'
    >>> found, elsewhere = missing_departure("JobSummary", "startTime", "ListJobs")
    >>> found, [d.name for d in elsewhere]
    (None, ['start-deployment-summary', 'start-job-summary'])
    """
    rows = _omissions().get((shape, member), ())
    return next((r for r in rows if r.applies_to(operation)), None), rows


def explained(
    shape: str, structure: Mapping[str, Any], missing: frozenset[str], operation: str | None
) -> dict[str, Departure]:
    """Of ``missing`` (the required members ``structure``, a ``shape``, lacks in
    ``operation``'s answer), those a departure explains, each with its row: a row of that
    operation whose combination ``structure`` is (see :meth:`Departure.explains`).

    >>> summary = {"jobId": "3", "commitId": "4f2a", "commitMessage": "Fix"}
    >>> explained("JobSummary", summary, frozenset({"jobType"}), "ListJobs")
    {}
    >>> found = explained("JobSummary", {"commitId": "HEAD"},
    ...                   frozenset({"commitMessage", "jobType"}), "GetJob")
    >>> sorted((member, row.name) for member, row in found.items())
    [('commitMessage', 'release-head'), ('jobType', 'release-head')]
    """
    out: dict[str, Departure] = {}
    for member in missing:
        for row in _omissions().get((shape, member), ()):
            if row.applies_to(operation) and row.explains(structure, missing, member):
                out[member] = row
                break
    return out


def value_departure(
    shape: str, member: str, value: object, operation: str | None
) -> tuple[Departure | None, tuple[Departure, ...]]:
    """Like :func:`missing_departure`, for a value outside an enum.

    >>> value_departure("Branch", "stage", "NONE", "GetBranch")[0].name
    'stage-none'
    """
    if not isinstance(value, str):
        return None, ()
    rows = _values().get((shape, member, value), ())
    return next((r for r in rows if r.applies_to(operation)), None), rows


def by_name(name: str) -> Departure:
    """The row called ``name``.

    >>> by_name("stage-none").value
    'NONE'
    """
    for row in DEPARTURES:
        if row.name == name:
            return row
    raise KeyError(f"no departure named {name!r}; known: {', '.join(d.name for d in DEPARTURES)}")
