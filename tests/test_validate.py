"""The strict validator: every rule of the model, every violation reported with its path."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from botocore.stub import Stubber
from hypothesis import given
from hypothesis import strategies as st

from pytest_amplify_jobs import (
    InvalidListJobsRequest,
    InvalidListJobsResponse,
    _model,
    validate_list_jobs_request,
    validate_list_jobs_response,
)

UTC = dt.timezone.utc
T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _job(**overrides: Any) -> dict[str, Any]:
    job: dict[str, Any] = {
        "jobArn": "arn:aws:amplify:us-east-1:123456789012:apps/d1a2b3c4d5e6f7/branches/main/jobs/0000000002",
        "jobId": "2",
        "commitId": "3f786850e387550fdab836ed7e6dc881de23001b",
        "commitMessage": "Fix the login redirect",
        "commitTime": T0,
        "startTime": T0 + dt.timedelta(seconds=5),
        "status": "SUCCEED",
        "endTime": T0 + dt.timedelta(minutes=3),
        "jobType": "WEB_HOOK",
    }
    job.update(overrides)
    return job


def _page(*jobs: dict[str, Any], **top: Any) -> dict[str, Any]:
    page: dict[str, Any] = {"jobSummaries": list(jobs) or [_job()]}
    page.update(top)
    return page


def test_a_real_looking_page_passes() -> None:
    manual = _job(
        jobId="1",
        commitId="HEAD",
        commitMessage="Manual deployment",
        jobType="MANUAL",
        sourceUrl="s3://my-bucket/site.zip",
        sourceUrlType="ZIP",
    )
    page = _page(
        _job(),
        manual,
        nextToken="eyJ0b2tlbiI6IDF9",
        ResponseMetadata={"RequestId": "x", "HTTPStatusCode": 200},
    )
    validate_list_jobs_response(page)
    validate_list_jobs_response({"jobSummaries": []})


BAD_PAGES = [
    # (id, page, path, words of the rule)
    (
        "missing-required",
        _page({k: v for k, v in _job().items() if k != "jobArn"}),
        "jobSummaries[0].jobArn",
        "missing",
    ),
    ("missing-summaries", {}, "jobSummaries", "missing"),
    (
        "none-required",
        _page(_job(commitId=None)),
        "jobSummaries[0].commitId",
        "None is not allowed",
    ),
    ("none-optional", _page(_job(endTime=None)), "jobSummaries[0].endTime", "None is not allowed"),
    ("unknown-member", _page(_job(branch="main")), "jobSummaries[0].branch", "unknown member"),
    ("unknown-top", _page(NextToken="x"), "NextToken", "unknown member"),
    (
        "timestamp-type",
        _page(_job(startTime="2024-01-01")),
        "jobSummaries[0].startTime",
        "is not a datetime",
    ),
    (
        "timestamp-naive",
        _page(_job(startTime=dt.datetime(2024, 1, 1))),
        "jobSummaries[0].startTime",
        "naive",
    ),
    ("string-type", _page(_job(jobId=2)), "jobSummaries[0].jobId", "is not a string"),
    ("job-id-pattern", _page(_job(jobId="abc")), "jobSummaries[0].jobId", "does not match [0-9]+"),
    ("job-id-empty", _page(_job(jobId="")), "jobSummaries[0].jobId", "does not match [0-9]+"),
    ("job-id-max", _page(_job(jobId="1" * 256)), "jobSummaries[0].jobId", "maximum 255"),
    ("status-enum", _page(_job(status="BOGUS")), "jobSummaries[0].status", "is not one of CREATED"),
    ("job-type-enum", _page(_job(jobType="PUSH")), "jobSummaries[0].jobType", "is not one of"),
    (
        "source-url-type-enum",
        _page(_job(sourceUrlType="TAR")),
        "jobSummaries[0].sourceUrlType",
        "is not one of",
    ),
    (
        "source-url-pattern",
        _page(_job(sourceUrl="ftp://x")),
        "jobSummaries[0].sourceUrl",
        "does not match ^(s3|https|http)://.*",
    ),
    (
        "source-url-max",
        _page(_job(sourceUrl="https://" + "a" * 3000)),
        "jobSummaries[0].sourceUrl",
        "maximum 3000",
    ),
    (
        "commit-message-max",
        _page(_job(commitMessage="m" * 10001)),
        "jobSummaries[0].commitMessage",
        "maximum 10000",
    ),
    ("commit-id-max", _page(_job(commitId="c" * 256)), "jobSummaries[0].commitId", "maximum 255"),
    ("job-arn-max", _page(_job(jobArn="a" * 1001)), "jobSummaries[0].jobArn", "maximum 1000"),
    ("next-token-max", _page(nextToken="t" * 2001), "nextToken", "maximum 2000"),
    ("next-token-type", _page(nextToken=5), "nextToken", "is not a string"),
    ("summaries-not-list", {"jobSummaries": {"a": 1}}, "jobSummaries", "is not a list"),
    ("summary-not-dict", {"jobSummaries": ["x"]}, "jobSummaries[0]", "is not a dict"),
    ("metadata-not-dict", _page(ResponseMetadata=[]), "ResponseMetadata", "is not a dict"),
]


@pytest.mark.parametrize(
    ("page", "path", "words"), [p[1:] for p in BAD_PAGES], ids=[p[0] for p in BAD_PAGES]
)
def test_each_rule_is_enforced_with_its_path(page: dict[str, Any], path: str, words: str) -> None:
    with pytest.raises(InvalidListJobsResponse) as info:
        validate_list_jobs_response(page)
    assert any(v.path == path and words in v.rule for v in info.value.violations), str(info.value)
    assert f"{path}: " in str(info.value)


def test_every_violation_is_reported_at_once_one_per_line() -> None:
    page = _page(_job(), _job(), _job(), _job(jobId="abc", status="BOGUS"), nextToken="t" * 3000)
    with pytest.raises(InvalidListJobsResponse) as info:
        validate_list_jobs_response(page)
    message = str(info.value)
    assert "(3 violations)" in message
    assert "  jobSummaries[3].jobId: 'abc' does not match [0-9]+" in message.splitlines()
    assert any(
        line.startswith("  jobSummaries[3].status: 'BOGUS'") for line in message.splitlines()
    )
    assert any(
        line.startswith("  nextToken: ") and "(len 3000)" in line for line in message.splitlines()
    )
    assert isinstance(info.value, ValueError)


def test_the_response_must_be_a_mapping() -> None:
    with pytest.raises(InvalidListJobsResponse, match="<top>: None is not a dict"):
        validate_list_jobs_response(None)  # type: ignore[arg-type]


def test_botocore_stubber_alone_accepts_what_we_reject() -> None:
    # The reason this validator exists: the Stubber lets all of these through.
    import botocore.session

    client = botocore.session.get_session().create_client(
        "amplify", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    stubber = Stubber(client)
    page = _page(_job(jobId="abc", status="BOGUS", sourceUrl="ftp://x"), nextToken="t" * 3000)
    stubber.add_response("list_jobs", copy.deepcopy(page))
    with pytest.raises(InvalidListJobsResponse) as info:
        validate_list_jobs_response(page)
    assert len(info.value.violations) == 4


# Valid pages built independently of the package's generator, straight from the model's rules.
def _value_for(rule: _model.Rule) -> st.SearchStrategy[Any]:
    if rule.enum:
        return st.sampled_from(rule.enum)
    if rule.type_name == "timestamp":
        return st.datetimes(timezones=st.just(UTC))
    if rule.type_name == "integer":
        return st.integers(rule.min, rule.max)
    text = st.from_regex(rule.pattern, fullmatch=True) if rule.pattern else st.text()
    return text.filter(lambda s: (rule.min or 0) <= len(s) <= (rule.max or 10**9))


def _summaries() -> st.SearchStrategy[dict[str, Any]]:
    m = _model.model()
    required = {k: _value_for(m.summary_rules[k]) for k in m.summary_required}
    optional = {k: _value_for(r) for k, r in m.summary_rules.items() if k not in m.summary_required}
    return st.fixed_dictionaries(required, optional=optional)


@given(
    st.fixed_dictionaries(
        {"jobSummaries": st.lists(_summaries(), max_size=3)},
        optional={
            "nextToken": _value_for(_model.model().summary_rules["commitId"]).map(
                lambda s: s[:2000]
            )
        },
    )
)
def test_any_model_valid_page_passes(page: dict[str, Any]) -> None:
    validate_list_jobs_response(page)


def test_valid_requests_pass() -> None:
    validate_list_jobs_request({"appId": "d1a2b3c4d5e6f7", "branchName": "feature/x"})
    validate_list_jobs_request(
        {"appId": "d1", "branchName": "m", "nextToken": "t" * 2000, "maxResults": 0}
    )
    validate_list_jobs_request({"appId": "d1", "branchName": "m", "maxResults": 50})


BAD_REQUESTS = [
    (
        "app-id-pattern",
        {"appId": "XYZ", "branchName": "main"},
        "appId",
        "does not match d[a-z0-9]+",
    ),
    ("app-id-max", {"appId": "d" + "a" * 20, "branchName": "main"}, "appId", "maximum 20"),
    ("app-id-missing", {"branchName": "main"}, "appId", "missing"),
    ("branch-empty", {"appId": "d1", "branchName": ""}, "branchName", "minimum length 1"),
    ("branch-max", {"appId": "d1", "branchName": "b" * 256}, "branchName", "maximum 255"),
    (
        "max-results-high",
        {"appId": "d1", "branchName": "m", "maxResults": 500},
        "maxResults",
        "maximum 50",
    ),
    (
        "max-results-low",
        {"appId": "d1", "branchName": "m", "maxResults": -1},
        "maxResults",
        "minimum 0",
    ),
    (
        "max-results-bool",
        {"appId": "d1", "branchName": "m", "maxResults": True},
        "maxResults",
        "not an integer",
    ),
    (
        "token-max",
        {"appId": "d1", "branchName": "m", "nextToken": "t" * 2001},
        "nextToken",
        "maximum 2000",
    ),
    (
        "unknown",
        {"appId": "d1", "branchName": "m", "MaxResults": 5},
        "MaxResults",
        "unknown member",
    ),
]


@pytest.mark.parametrize(
    ("params", "path", "words"), [p[1:] for p in BAD_REQUESTS], ids=[p[0] for p in BAD_REQUESTS]
)
def test_request_rules_are_enforced(params: dict[str, Any], path: str, words: str) -> None:
    with pytest.raises(InvalidListJobsRequest) as info:
        validate_list_jobs_request(params)
    assert any(v.path == path and words in v.rule for v in info.value.violations), str(info.value)
