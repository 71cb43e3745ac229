"""Webhooks, domain associations and backend environments in the fake: every operation through
boto3 and the AWS CLI (each answer strictly valid), webhook URLs that start builds, domains
that move as DNS verification does, pagination, cascades, and the facade's argument checks."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from pytest_amplify_jobs import AmplifyFake, fake_amplify
from pytest_amplify_jobs import validate_response as _validate_response
from pytest_amplify_jobs._fake.resources import DOMAIN_AUTO_NEXT, DOMAIN_MOVES, domain_statuses
from pytest_amplify_jobs._fake.state import Store
from pytest_amplify_jobs._fake.wire import served_operations
from tests.helpers import run_aws_cli

APP, MAIN, DEV = "d1fakeapp2345", "main", "dev"
MANUAL = "d1manualapp01"
DOMAIN = "example.com"

OPERATIONS = (
    "CreateWebhook",
    "GetWebhook",
    "ListWebhooks",
    "UpdateWebhook",
    "DeleteWebhook",
    "CreateDomainAssociation",
    "GetDomainAssociation",
    "ListDomainAssociations",
    "UpdateDomainAssociation",
    "DeleteDomainAssociation",
    "CreateBackendEnvironment",
    "GetBackendEnvironment",
    "ListBackendEnvironments",
    "DeleteBackendEnvironment",
)


@pytest.fixture
def fake() -> Any:
    with fake_amplify(seed=7) as f:
        f.add_branch(APP, MAIN, jobs=3, finished=True)
        f.add_branch(APP, DEV, jobs=1, finished=True)
        yield f


@pytest.fixture
def c() -> Any:
    return boto3.client(
        "amplify",
        region_name="us-east-1",
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="secret",
    )


def call(client: Any, operation: str, **params: Any) -> dict[str, Any]:
    """One call through boto3; its answer is checked strictly (with the service's departures)."""
    from botocore import xform_name

    response: dict[str, Any] = getattr(client, xform_name(operation))(**params)
    _validate_response(operation, response)
    return response


def error_of(client: Any, operation: str, **params: Any) -> tuple[str, str, int]:
    from botocore import xform_name

    with pytest.raises(ClientError) as info:
        getattr(client, xform_name(operation))(**params)
    error = info.value.response
    return (
        error["Error"]["Code"],
        error["Error"]["Message"],
        error["ResponseMetadata"]["HTTPStatusCode"],
    )


def sub(prefix: str, branch: str) -> dict[str, str]:
    return {"prefix": prefix, "branchName": branch}


def test_the_fake_serves_every_resource_operation() -> None:
    assert set(OPERATIONS) <= set(served_operations())


# ------------------------------------------------------------------------------ webhooks


@pytest.mark.usefixtures("no_http")
def test_webhooks_through_boto3(fake: AmplifyFake, c: Any) -> None:
    hook = call(c, "CreateWebhook", appId=APP, branchName=MAIN)["webhook"]
    assert "description" not in hook  # departure webhook-unset-description
    assert hook["webhookArn"].endswith(f":apps/{APP}/webhooks/{hook['webhookId']}")
    assert hook["webhookUrl"].startswith("http://127.0.0.1:")
    assert f"/webhooks/{hook['webhookId']}/" in hook["webhookUrl"]
    # Webhook.appId exists in newer models only (the lower bounds have none).
    assert hook.get("appId", APP) == APP and hook["createTime"] == hook["updateTime"]
    with_text = call(c, "CreateWebhook", appId=APP, branchName=DEV, description="CI")["webhook"]
    assert with_text["description"] == "CI" and with_text["webhookId"] != hook["webhookId"]

    got = call(c, "GetWebhook", webhookId=hook["webhookId"])["webhook"]
    assert got == hook
    updated = call(
        c, "UpdateWebhook", webhookId=hook["webhookId"], branchName=DEV, description="moved"
    )["webhook"]
    assert (updated["branchName"], updated["description"]) == (DEV, "moved")
    assert updated["updateTime"] > hook["updateTime"]
    listed = call(c, "ListWebhooks", appId=APP)
    assert [w["webhookId"] for w in listed["webhooks"]] == [
        hook["webhookId"],
        with_text["webhookId"],
    ]
    assert "nextToken" not in listed
    deleted = call(c, "DeleteWebhook", webhookId=hook["webhookId"])["webhook"]
    assert deleted["webhookId"] == hook["webhookId"]
    assert [w["webhookId"] for w in call(c, "ListWebhooks", appId=APP)["webhooks"]] == [
        with_text["webhookId"]
    ]


def test_webhook_ids_are_seeded_and_uuid_shaped() -> None:
    ids = []
    for _ in range(2):
        with fake_amplify(seed=11) as f:
            f.add_branch(APP, MAIN, jobs=1)
            ids.append(f.add_webhook(APP, MAIN)["webhookId"])
    assert ids[0] == ids[1]
    assert [len(part) for part in ids[0].split("-")] == [8, 4, 4, 4, 12]


@pytest.mark.usefixtures("no_http")
def test_webhook_errors(fake: AmplifyFake, c: Any) -> None:
    assert error_of(c, "CreateWebhook", appId="d1nope", branchName=MAIN) == (
        "NotFoundException",
        "App d1nope not found.",
        404,
    )
    assert error_of(c, "CreateWebhook", appId=APP, branchName="nope") == (
        "NotFoundException",
        "Branch nope not found.",
        404,
    )
    for operation in ("GetWebhook", "DeleteWebhook", "UpdateWebhook"):
        code, message, status = error_of(c, operation, webhookId="no-such-id")
        assert (code, status) == ("NotFoundException", 404) and "no-such-id" in message
    hook = fake.add_webhook(APP, MAIN)
    code, message, _ = error_of(c, "UpdateWebhook", webhookId=hook["webhookId"], branchName="x")
    assert (code, message) == ("NotFoundException", "Branch x not found.")
    # ListWebhooks does not model NotFoundException: the service's 400.
    assert error_of(c, "ListWebhooks", appId="d1nope")[::2] == ("BadRequestException", 400)


@pytest.mark.allow_hosts(["127.0.0.1"])
def test_a_post_to_the_webhook_url_starts_a_web_hook_build(fake: AmplifyFake, c: Any) -> None:
    hook = call(c, "CreateWebhook", appId=APP, branchName=MAIN)["webhook"]
    before = fake.history(APP, MAIN)[0]["jobId"]
    request = urllib.request.Request(hook["webhookUrl"], data=b"{}", method="POST")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 200
        assert "RequestId" in json.loads(answer.read())["SendMessageResponse"]["ResponseMetadata"]
    jobs = call(c, "ListJobs", appId=APP, branchName=MAIN)["jobSummaries"]
    started = jobs[0]
    assert int(started["jobId"]) == int(before) + 1
    assert started["jobType"] == "WEB_HOOK"
    seen = [started["status"]]
    for _ in range(5):  # a started job: it moves by itself, like StartJob's
        job = call(c, "GetJob", appId=APP, branchName=MAIN, jobId=started["jobId"])["job"]
        seen.append(job["summary"]["status"])
    assert seen[-1] == "SUCCEED"

    wrong_token = hook["webhookUrl"].rsplit("/", 1)[0] + "/" + "0" * 32
    unknown = hook["webhookUrl"].replace(hook["webhookId"], "0" * 8 + hook["webhookId"][8:])
    for url in (wrong_token, unknown):
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(urllib.request.Request(url, data=b"{}", method="POST"))
        assert info.value.code == 404
        info.value.close()
    # Its branch deleted: the hook is gone with it, its URL is a 404.
    with fake._store.lock:
        del fake._store.branches[(APP, MAIN)]
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(urllib.request.Request(hook["webhookUrl"], data=b"", method="POST"))
    assert info.value.code == 404
    info.value.close()


def test_receive_webhook_answers_from_the_store(fake: AmplifyFake) -> None:
    hook = fake.add_webhook(APP, DEV)
    path = "webhooks/" + hook["webhookUrl"].split("/webhooks/", 1)[1]
    resources = fake._store.resources
    status, body = resources.receive_webhook(path, b"{}")
    assert status == 200 and "SendMessageResponse" in json.loads(body)
    assert fake.history(APP, DEV)[0]["jobType"] == "WEB_HOOK"
    assert resources.receive_webhook("webhooks/x", b"")[0] == 404
    assert resources.receive_webhook(path + "/more", b"")[0] == 404
    # An app deployed manually does not build: the service's refusal, 400.
    fake.add_app(MANUAL, kind="manual")
    fake.add_branch(MANUAL, MAIN, jobs=1, finished=True)
    manual = fake.add_webhook(MANUAL, MAIN)
    manual_path = "webhooks/" + manual["webhookUrl"].split("/webhooks/", 1)[1]
    status, body = resources.receive_webhook(manual_path, b"")
    assert status == 400 and "not connected to a repository" in json.loads(body)["message"]
    # Its app deleted (without the cascade): 404.
    with fake._store.lock:
        del fake._store.apps[APP]
    assert resources.receive_webhook(path, b"")[0] == 404


def test_without_a_local_endpoint_webhook_urls_take_the_service_form() -> None:
    store = Store(seed=1, region="eu-west-2")
    store.put_branch(APP, MAIN, [])
    record = store.resources.create_webhook(APP, MAIN, None)
    assert record.url == (
        f"https://webhooks.amplify.eu-west-2.amazonaws.com/prod/webhooks?id={record.webhook_id}"
        f"&token={record.token}&operation=startbuild"
    )


# ------------------------------------------------------------------- domain associations


@pytest.mark.usefixtures("no_http")
def test_domain_associations_through_boto3(fake: AmplifyFake, c: Any) -> None:
    created = call(
        c,
        "CreateDomainAssociation",
        appId=APP,
        domainName=DOMAIN,
        subDomainSettings=[sub("www", MAIN), sub("", MAIN)],
    )["domainAssociation"]
    # As the service answers right away (tests/published 017, 019).
    assert created["domainStatus"] == "CREATING"
    assert created["domainAssociationArn"].endswith(f":apps/{APP}/domains/{DOMAIN}")
    assert created["subDomains"][0] == {
        "subDomainSetting": sub("www", MAIN),
        "verified": False,
        "dnsRecord": "www CNAME <pending>",
    }
    assert "statusReason" not in created and "certificateVerificationDNSRecord" not in created

    first = call(c, "GetDomainAssociation", appId=APP, domainName=DOMAIN)["domainAssociation"]
    assert first["domainStatus"] == "PENDING_VERIFICATION"
    assert first["certificateVerificationDNSRecord"].endswith(".acm-validations.aws.")
    assert first["certificateVerificationDNSRecord"].startswith("_")
    assert first["subDomains"][0]["dnsRecord"].endswith(".cloudfront.net")
    listed = call(c, "ListDomainAssociations", appId=APP)["domainAssociations"]
    assert [d["domainStatus"] for d in listed] == ["AVAILABLE"]
    assert all(s["verified"] for s in listed[0]["subDomains"])

    updated = call(
        c,
        "UpdateDomainAssociation",
        appId=APP,
        domainName=DOMAIN,
        subDomainSettings=[sub("www", MAIN), sub("dev", DEV)],
        enableAutoSubDomain=True,
    )["domainAssociation"]
    assert updated["domainStatus"] == "UPDATING" and updated["enableAutoSubDomain"] is True
    assert [s["verified"] for s in updated["subDomains"]] == [True, False]
    again = call(c, "GetDomainAssociation", appId=APP, domainName=DOMAIN)["domainAssociation"]
    assert again["domainStatus"] == "AVAILABLE"
    assert [s["verified"] for s in again["subDomains"]] == [True, True]

    deleted = call(c, "DeleteDomainAssociation", appId=APP, domainName=DOMAIN)
    assert deleted["domainAssociation"]["domainName"] == DOMAIN
    assert call(c, "ListDomainAssociations", appId=APP)["domainAssociations"] == []


@pytest.mark.usefixtures("no_http")
def test_domain_errors(fake: AmplifyFake, c: Any) -> None:
    where = {"appId": APP, "domainName": DOMAIN}
    settings = [sub("www", MAIN)]
    assert error_of(
        c, "CreateDomainAssociation", **{**where, "appId": "d1nope"}, subDomainSettings=settings
    )[:2] == ("NotFoundException", "App d1nope not found.")
    # A sub-domain of a branch the app lacks: a bad request naming the branch.
    assert error_of(
        c, "CreateDomainAssociation", **where, subDomainSettings=[sub("www", "gone")]
    ) == ("BadRequestException", "Branch gone not found.", 400)
    code, message, _ = error_of(
        c, "CreateDomainAssociation", **where, subDomainSettings=[sub("a", MAIN), sub("a", DEV)]
    )
    assert code == "BadRequestException" and "'a'" in message
    assert error_of(c, "CreateDomainAssociation", **where, subDomainSettings=[])[0] == (
        "BadRequestException"
    )
    for operation in (
        "GetDomainAssociation",
        "UpdateDomainAssociation",
        "DeleteDomainAssociation",
    ):
        code, message, status = error_of(c, operation, **where)
        assert (code, status) == ("NotFoundException", 404) and DOMAIN in message
    call(c, "CreateDomainAssociation", **where, subDomainSettings=settings)
    code, message, _ = error_of(c, "CreateDomainAssociation", **where, subDomainSettings=settings)
    assert code == "BadRequestException" and APP in message
    code, _, _ = error_of(
        c, "UpdateDomainAssociation", **where, subDomainSettings=[sub("www", "gone")]
    )
    assert code == "BadRequestException"
    assert error_of(c, "ListDomainAssociations", appId="d1nope")[::2] == (
        "BadRequestException",
        400,
    )


@pytest.mark.usefixtures("no_http")
def test_scripted_domain_moves_count_calls_like_jobs(fake: AmplifyFake, c: Any) -> None:
    fake.add_domain(APP, DOMAIN, {"www": MAIN})
    fake.advance_domain(APP, DOMAIN, "REQUESTING_CERTIFICATE")  # call 1 sees it
    fake.advance_domain(APP, DOMAIN, "PENDING_VERIFICATION", after_calls=2)
    fake.advance_domain(APP, DOMAIN, "AWAITING_APP_CNAME", after_calls=3)
    seen = [
        call(c, "GetDomainAssociation", appId=APP, domainName=DOMAIN)["domainAssociation"][
            "domainStatus"
        ]
        for _ in range(5)
    ]
    assert seen == [
        "REQUESTING_CERTIFICATE",
        "REQUESTING_CERTIFICATE",
        "PENDING_VERIFICATION",
        "AWAITING_APP_CNAME",
        "AWAITING_APP_CNAME",  # scripted: no automatic moves any more
    ]
    # ListDomainAssociations of its app is a call on it too.
    fake.advance_domain(APP, DOMAIN, "AVAILABLE", after_calls=1)
    statuses = [
        call(c, "ListDomainAssociations", appId=APP)["domainAssociations"][0]["domainStatus"]
        for _ in range(2)
    ]
    assert statuses == ["AWAITING_APP_CNAME", "AVAILABLE"]


@pytest.mark.usefixtures("no_http")
def test_a_domain_can_fail_verification(fake: AmplifyFake, c: Any) -> None:
    fake.add_domain(APP, DOMAIN)
    fake.advance_domain(APP, DOMAIN, "PENDING_VERIFICATION")
    fake.advance_domain(APP, DOMAIN, "FAILED", after_calls=1)
    ok = call(c, "GetDomainAssociation", appId=APP, domainName=DOMAIN)["domainAssociation"]
    assert ok["domainStatus"] == "PENDING_VERIFICATION" and "statusReason" not in ok
    failed = call(c, "GetDomainAssociation", appId=APP, domainName=DOMAIN)["domainAssociation"]
    assert failed["domainStatus"] == "FAILED"
    assert failed["statusReason"].startswith("Route 53 record mismatch")
    with pytest.raises(ValueError, match=r"cannot go from FAILED to AVAILABLE; allowed: none"):
        fake.advance_domain(APP, DOMAIN, "AVAILABLE")
    fake.add_domain(APP, "other.org", {"dev": DEV}, status="FAILED", reason="CAA record blocks")
    other = call(c, "GetDomainAssociation", appId=APP, domainName="other.org")
    assert other["domainAssociation"]["statusReason"] == "CAA record blocks"


@pytest.mark.usefixtures("no_http")
def test_automatic_domain_moves_can_be_stopped(fake: AmplifyFake, c: Any) -> None:
    fake.auto_verify_domains(False)
    fake.add_domain(APP, DOMAIN)
    for _ in range(3):
        got = call(c, "GetDomainAssociation", appId=APP, domainName=DOMAIN)
        assert got["domainAssociation"]["domainStatus"] == "CREATING"
    fake.auto_verify_domains(True)
    got = call(c, "GetDomainAssociation", appId=APP, domainName=DOMAIN)
    assert got["domainAssociation"]["domainStatus"] == "PENDING_VERIFICATION"
    assert fake.domain_info(APP, DOMAIN)["domainStatus"] == "PENDING_VERIFICATION"  # not a call


def test_domain_moves_cover_the_model() -> None:
    assert set(DOMAIN_MOVES) == set(domain_statuses())
    assert all(set(moves) <= set(domain_statuses()) for moves in DOMAIN_MOVES.values())
    assert all(to in DOMAIN_MOVES[frm] for frm, to in DOMAIN_AUTO_NEXT.items())
    path, status = [], "CREATING"
    while status in DOMAIN_AUTO_NEXT:
        status = DOMAIN_AUTO_NEXT[status]
        path.append(status)
    assert path == ["PENDING_VERIFICATION", "AVAILABLE"]


def test_bad_domain_moves_name_the_allowed_ones(fake: AmplifyFake) -> None:
    fake.add_domain(APP, DOMAIN)
    fake.advance_domain(APP, DOMAIN, "PENDING_VERIFICATION", after_calls=3)
    with pytest.raises(ValueError, match=r"cannot go from PENDING_VERIFICATION to CREATING"):
        fake.advance_domain(APP, DOMAIN, "CREATING", after_calls=5)
    with pytest.raises(ValueError, match=r"after_calls=1: .* \(allowed: after_calls >= 3\)"):
        fake.advance_domain(APP, DOMAIN, "AVAILABLE", after_calls=1)
    with pytest.raises(ValueError, match=r"status='DONE' is not a domain status; allowed: "):
        fake.advance_domain(APP, DOMAIN, "DONE")
    with pytest.raises(ValueError, match=r"no domain association 'x.org'.*known: "):
        fake.advance_domain(APP, "x.org", "AVAILABLE")


# ------------------------------------------------------------------- backend environments


@pytest.mark.usefixtures("no_http")
def test_backend_environments_through_boto3(fake: AmplifyFake, c: Any) -> None:
    created = call(c, "CreateBackendEnvironment", appId=APP, environmentName="staging")
    env = created["backendEnvironment"]
    app_name = fake.apps()[0]["name"]
    stamp = env["createTime"].astimezone(__import__("datetime").timezone.utc).strftime("%H%M%S")
    # Named as the service names them (tests/published 022).
    assert env["stackName"] == f"amplify-{app_name[:12]}-staging-{stamp}"
    assert env["deploymentArtifacts"] == f"{app_name[:12].lower()}-staging-{stamp}-deployment"
    assert env["backendEnvironmentArn"].endswith(f":apps/{APP}/backendenvironments/staging")
    given = call(
        c,
        "CreateBackendEnvironment",
        appId=APP,
        environmentName="prod",
        stackName="my-stack",
        deploymentArtifacts="my-bucket",
    )["backendEnvironment"]
    assert (given["stackName"], given["deploymentArtifacts"]) == ("my-stack", "my-bucket")
    got = call(c, "GetBackendEnvironment", appId=APP, environmentName="staging")
    assert got["backendEnvironment"] == env
    every = call(c, "ListBackendEnvironments", appId=APP)["backendEnvironments"]
    assert [e["environmentName"] for e in every] == ["staging", "prod"]
    one = call(c, "ListBackendEnvironments", appId=APP, environmentName="prod")
    assert [e["environmentName"] for e in one["backendEnvironments"]] == ["prod"]
    deleted = call(c, "DeleteBackendEnvironment", appId=APP, environmentName="staging")
    assert deleted["backendEnvironment"]["environmentName"] == "staging"
    assert error_of(c, "GetBackendEnvironment", appId=APP, environmentName="staging") == (
        "NotFoundException",
        "Backend environment staging not found.",
        404,
    )
    assert error_of(c, "DeleteBackendEnvironment", appId=APP, environmentName="staging")[0] == (
        "NotFoundException"
    )
    code, message, _ = error_of(c, "CreateBackendEnvironment", appId=APP, environmentName="prod")
    assert code == "BadRequestException" and "prod" in message
    assert error_of(c, "CreateBackendEnvironment", appId="d1nope", environmentName="x")[:2] == (
        "NotFoundException",
        "App d1nope not found.",
    )
    assert error_of(c, "GetBackendEnvironment", appId="d1nope", environmentName="x")[0] == (
        "NotFoundException"
    )
    assert error_of(c, "ListBackendEnvironments", appId="d1nope")[0] == "BadRequestException"


# ------------------------------------------------------------------------------ pagination


@pytest.mark.usefixtures("no_http")
def test_listings_paginate_with_opaque_tokens(fake: AmplifyFake, c: Any) -> None:
    for index in range(5):
        fake.add_webhook(APP, MAIN)
        fake.add_domain(APP, f"site{index}.com", {"www": MAIN})
        fake.add_backend_environment(APP, f"env{index}")
    for operation, key in (
        ("ListWebhooks", "webhooks"),
        ("ListDomainAssociations", "domainAssociations"),
        ("ListBackendEnvironments", "backendEnvironments"),
    ):
        pages, token = [], None
        while True:
            params: dict[str, Any] = {"appId": APP, "maxResults": 2}
            if token is not None:
                params["nextToken"] = token
            page = call(c, operation, **params)
            pages.append(len(page[key]))
            token = page.get("nextToken")
            if token is None:
                break
        assert pages == [2, 2, 1], operation
        # A token of one listing is refused by another.
        first = call(c, operation, appId=APP, maxResults=2)["nextToken"]
        other = "ListWebhooks" if operation != "ListWebhooks" else "ListBackendEnvironments"
        assert error_of(c, other, appId=APP, nextToken=first)[0] == "BadRequestException"
        assert len(call(c, operation, appId=APP)[key]) == 5  # default: the model's maximum
    pages = c.get_paginator("list_domain_associations").paginate(
        appId=APP, PaginationConfig={"PageSize": 3}
    )
    assert sum(len(p["domainAssociations"]) for p in pages) == 5


# ------------------------------------------------------------------------------ cascades


def test_forgetting_a_branch_takes_its_webhooks_and_sub_domains(fake: AmplifyFake) -> None:
    main_hook = fake.add_webhook(APP, MAIN)
    dev_hook = fake.add_webhook(APP, DEV)
    fake.add_domain(APP, DOMAIN, {"www": MAIN, "dev": DEV})
    fake.add_domain(APP, "dev.org", {"": DEV})
    fake.add_backend_environment(APP, "staging")
    resources = fake._store.resources
    with fake._store.lock:
        del fake._store.branches[(APP, DEV)]
        resources.forget_branch(APP, DEV)
    assert set(resources.webhooks) == {main_hook["webhookId"]}
    assert dev_hook["webhookId"] not in resources.webhooks
    subs = fake.domain_info(APP, DOMAIN)["subDomains"]
    assert [s["subDomainSetting"] for s in subs] == [sub("www", MAIN)]
    assert (APP, "dev.org") not in resources.domains  # no sub-domain left
    assert (APP, "staging") in resources.backends
    assert_coherent(fake)
    with fake._store.lock:
        resources.forget_app(APP)
    assert not resources.webhooks and not resources.domains and not resources.backends


@pytest.mark.skipif(
    not {"DeleteBranch", "DeleteApp"} <= set(served_operations()),
    reason="DeleteBranch and DeleteApp are not served yet",
)
@pytest.mark.usefixtures("no_http")
def test_deleting_a_branch_or_an_app_on_the_wire_cascades(fake: AmplifyFake, c: Any) -> None:
    hook = fake.add_webhook(APP, DEV)
    fake.add_domain(APP, DOMAIN, {"www": MAIN, "dev": DEV})
    fake.add_backend_environment(APP, "staging")
    call(c, "DeleteBranch", appId=APP, branchName=DEV)
    assert error_of(c, "GetWebhook", webhookId=hook["webhookId"])[0] == "NotFoundException"
    got = call(c, "GetDomainAssociation", appId=APP, domainName=DOMAIN)["domainAssociation"]
    assert [s["subDomainSetting"]["prefix"] for s in got["subDomains"]] == ["www"]
    assert_coherent(fake)
    call(c, "DeleteApp", appId=APP)
    resources = fake._store.resources
    assert not resources.webhooks and not resources.domains and not resources.backends


def assert_coherent(fake: AmplifyFake) -> None:
    """Every webhook's branch and every sub-domain's branch exist; every resource's app too."""
    store = fake._store
    resources = store.resources
    for hook in resources.webhooks.values():
        assert (hook.app_id, hook.branch_name) in store.branches
    for domain in resources.domains.values():
        assert domain.sub_domains
        assert all((domain.app_id, s.branch_name) in store.branches for s in domain.sub_domains)
    for app_id, _name in resources.backends:
        assert app_id in store.apps


# ------------------------------------------------------------------------------ the CLI


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


class AwsCli:
    """The AWS CLI in process, as ``tests.helpers.run_aws_cli`` runs it, with one driver for
    a test's commands: building the driver (its command tables) costs ~0.4 s per command,
    answering one ~0.04 s; the first command goes through ``run_aws_cli`` itself."""

    def __init__(self) -> None:
        self.driver: Any = None

    def run(self, *args: str) -> tuple[int, str]:
        import contextlib
        import io

        from awscli.clidriver import create_clidriver

        if self.driver is None:
            self.driver = create_clidriver()
            return run_aws_cli(*args)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = self.driver.main(["amplify", *args])
        return rc, out.getvalue()

    def __call__(self, *args: str) -> dict[str, Any]:
        rc, out = self.run(*args, "--output", "json")
        assert rc == 0, out
        result: dict[str, Any] = json.loads(out) if out.strip() else {}
        return result


@pytest.mark.usefixtures("cli_env", "no_http")
@pytest.mark.slow
def test_every_resource_operation_through_the_aws_cli(fake: AmplifyFake) -> None:
    cli = AwsCli()
    app = ("--app-id", APP)
    hook = cli("create-webhook", *app, "--branch-name", MAIN)["webhook"]
    hook_id = ("--webhook-id", hook["webhookId"])
    assert cli("get-webhook", *hook_id)["webhook"]["branchName"] == MAIN
    assert cli("list-webhooks", *app)["webhooks"][0]["webhookId"] == hook["webhookId"]
    updated = cli("update-webhook", *hook_id, "--branch-name", DEV, "--description", "d")
    assert updated["webhook"]["branchName"] == DEV
    assert cli("delete-webhook", *hook_id)["webhook"]["webhookId"] == hook["webhookId"]
    assert cli("list-webhooks", *app)["webhooks"] == []

    domain = ("--domain-name", DOMAIN)
    created = cli(
        "create-domain-association",
        *app,
        *domain,
        "--sub-domain-settings",
        f"prefix=www,branchName={MAIN}",
    )["domainAssociation"]
    assert created["subDomains"][0]["dnsRecord"] == "www CNAME <pending>"
    got = cli("get-domain-association", *app, *domain)["domainAssociation"]
    assert got["domainStatus"] == "PENDING_VERIFICATION"
    listed = cli("list-domain-associations", *app)["domainAssociations"]
    assert listed[0]["domainStatus"] == "AVAILABLE"
    updated = cli(
        "update-domain-association",
        *app,
        *domain,
        "--sub-domain-settings",
        f"prefix=www,branchName={MAIN}",
        f"prefix=dev,branchName={DEV}",
    )["domainAssociation"]
    assert len(updated["subDomains"]) == 2
    deleted = cli("delete-domain-association", *app, *domain)["domainAssociation"]
    assert deleted["domainName"] == DOMAIN

    env = ("--environment-name", "staging")
    created_env = cli("create-backend-environment", *app, *env)["backendEnvironment"]
    assert created_env["stackName"].startswith("amplify-")
    assert cli("get-backend-environment", *app, *env)["backendEnvironment"] == created_env
    assert cli("list-backend-environments", *app)["backendEnvironments"] == [created_env]
    assert cli("delete-backend-environment", *app, *env)["backendEnvironment"] == created_env

    rc, _ = cli.run("get-backend-environment", *app, *env)
    assert rc != 0  # NotFoundException
    asked = {r.operation for r in fake.requests}
    assert set(OPERATIONS) <= asked


# --------------------------------------------------------------------- model-complete mode


def test_model_complete_answers_carry_every_required_member(c: Any) -> None:
    with fake_amplify(seed=3, model_complete=True) as f:
        f.add_branch(APP, MAIN, jobs=1, finished=True)
        hook = call(c, "CreateWebhook", appId=APP, branchName=MAIN)
        _validate_response("CreateWebhook", hook, model_strict=True)
        assert hook["webhook"]["description"] == ""
        domain = call(
            c,
            "CreateDomainAssociation",
            appId=APP,
            domainName=DOMAIN,
            subDomainSettings=[sub("www", MAIN)],
        )
        _validate_response("CreateDomainAssociation", domain, model_strict=True)
        assert domain["domainAssociation"]["statusReason"] == ""


# ---------------------------------------------------------------------------- faults


@pytest.mark.usefixtures("no_http")
def test_scripted_faults_reach_resource_operations(fake: AmplifyFake, c: Any) -> None:
    fake.fail("InternalFailureException", times=1, operation="GetDomainAssociation")
    fake.add_domain(APP, DOMAIN)
    # botocore retries the 500: the second attempt is answered (and is a call on the domain).
    got = call(c, "GetDomainAssociation", appId=APP, domainName=DOMAIN)
    assert got["ResponseMetadata"]["RetryAttempts"] == 1
    assert got["domainAssociation"]["domainStatus"] == "PENDING_VERIFICATION"


# ---------------------------------------------------------------------- facade arguments


BAD_CALLS = [
    ("add_webhook", (APP, "nope"), {}, r"no branch d1fakeapp2345/nope"),
    ("add_webhook", ("D1BAD", MAIN), {}, r"app_id='D1BAD' is rejected by the model"),
    ("add_webhook", (APP, MAIN), {"description": 5}, r"description=5 is rejected"),
    ("add_domain", ("d1nope", DOMAIN), {}, r"no app 'd1nope'.*; known: d1fakeapp2345"),
    ("add_domain", (APP, "not a domain"), {}, r"domain_name='not a domain' is rejected"),
    ("add_domain", (APP, DOMAIN, {}), {}, r"sub_domains=\{\} must be a non-empty mapping"),
    ("add_domain", (APP, DOMAIN, {"www": "nope"}), {}, r"no branch d1fakeapp2345/nope"),
    ("add_domain", (APP, DOMAIN, {"www": 3}), {}, r"sub_domains=.* is rejected"),
    ("add_domain", (APP, DOMAIN), {"status": "DONE"}, r"status='DONE' is not a domain status"),
    ("add_domain", (APP, DOMAIN), {"reason": "x"}, r"reason='x' is the statusReason of a FAILED"),
    ("add_domain", (APP, DOMAIN), {"status": "FAILED", "reason": ""}, r"reason='' must be"),
    ("add_domain", (APP, DOMAIN), {"enable_auto_sub_domain": 1}, r"must be True or False"),
    ("advance_domain", (APP, DOMAIN, "AVAILABLE"), {"after_calls": -1}, r"after_calls=-1"),
    ("auto_verify_domains", (1,), {}, r"on=1 must be True or False"),
    ("add_backend_environment", ("d1nope", "x"), {}, r"no app 'd1nope'"),
    ("add_backend_environment", (APP, ""), {}, r"environment_name='' is rejected"),
    ("add_backend_environment", (APP, "x"), {"stack_name": ""}, r"stack_name='' is rejected"),
]


@pytest.mark.parametrize(("method", "args", "kwargs", "message"), BAD_CALLS)
def test_bad_facade_arguments(
    fake: AmplifyFake, method: str, args: tuple[Any, ...], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        getattr(fake, method)(*args, **kwargs)


def test_facade_refuses_duplicates(fake: AmplifyFake) -> None:
    fake.add_domain(APP, DOMAIN)
    with pytest.raises(ValueError, match=r"already has that domain"):
        fake.add_domain(APP, DOMAIN)
    fake.add_backend_environment(APP, "staging")
    with pytest.raises(ValueError, match=r"environment_name='staging': .* already exists"):
        fake.add_backend_environment(APP, "staging")
