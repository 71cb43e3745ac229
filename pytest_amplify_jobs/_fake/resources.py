"""The fake's resources beside apps, branches and jobs: webhooks, domain associations, backend
environments, and the tags of every ARN.

Typed records (one class per resource, each with the one method that turns it into the
service's shape) kept by :class:`Resources`, which the :class:`~.state.Store` holds as
``store.resources``. No HTTP and no botocore here: handlers in :mod:`.resource_handlers` call
it under ``store.lock`` and it raises :class:`~.errors.ServiceError` for the service's refusals.

Domain associations move as DNS verification does, counted like jobs (ARCHITECTURE.md,
"Counting calls in the fake"): each call that reaches a domain (GetDomainAssociation,
UpdateDomainAssociation, DeleteDomainAssociation, and ListDomainAssociations of its app) is one
call on it; the observing ones (Get, List) also move it one step along
:data:`DOMAIN_AUTO_NEXT` (``CREATING -> PENDING_VERIFICATION -> AVAILABLE``) before they are
answered, unless the domain was given to ``advance_domain`` or automatic moves are off.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pytest_amplify_jobs import _model
from pytest_amplify_jobs._checks import check_bool, check_int
from pytest_amplify_jobs._fake.crud import Collection
from pytest_amplify_jobs._fake.errors import MESSAGES, NOT_FOUND, ServiceError
from pytest_amplify_jobs._fake.faults import fault_error
from pytest_amplify_jobs._text import short_repr
from pytest_amplify_jobs._validate import request_violations

if TYPE_CHECKING:
    from pytest_amplify_jobs._fake.state import Store

__all__ = [
    "DOMAIN_AUTO_NEXT",
    "DOMAIN_MOVES",
    "BackendEnvironmentRecord",
    "DomainRecord",
    "Resources",
    "ResourcesFacade",
    "SubDomainRecord",
    "WebhookRecord",
    "domain_statuses",
]


def in_model(shape: str, value: dict[str, Any]) -> dict[str, Any]:
    """``value`` without the members the installed model's ``shape`` lacks: an older botocore
    (the lower bounds) has no ``Webhook.appId``, and validation would call it unknown."""
    members = _members_of(shape)
    return {k: v for k, v in value.items() if k in members}


@functools.cache
def _members_of(shape: str) -> frozenset[str]:
    found = _model.model().service_model.shape_for(shape)
    return frozenset(getattr(found, "members", {}))


BAD_REQUEST = "BadRequestException"

# How a domain association moves while its DNS is verified. The model lists the statuses
# (DomainStatus), not the moves: these follow the AWS user guide's custom-domain statuses
# (creating, requesting a certificate, pending verification, awaiting the app's CNAME, pending
# deployment, available; a failure from anywhere on the way) and the recorded outputs
# (tests/published 016-019: CREATING right after CreateDomainAssociation, AWAITING_APP_CNAME
# later). AVAILABLE goes UPDATING when its sub-domains change; FAILED is final.
DOMAIN_MOVES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "CREATING": (
            "PENDING_VERIFICATION",
            "REQUESTING_CERTIFICATE",
            "IMPORTING_CUSTOM_CERTIFICATE",
            "AWAITING_APP_CNAME",
            "FAILED",
        ),
        "REQUESTING_CERTIFICATE": ("PENDING_VERIFICATION", "FAILED"),
        "IMPORTING_CUSTOM_CERTIFICATE": ("PENDING_VERIFICATION", "PENDING_DEPLOYMENT", "FAILED"),
        "PENDING_VERIFICATION": ("AWAITING_APP_CNAME", "PENDING_DEPLOYMENT", "AVAILABLE", "FAILED"),
        "AWAITING_APP_CNAME": ("PENDING_DEPLOYMENT", "AVAILABLE", "FAILED"),
        "PENDING_DEPLOYMENT": ("AVAILABLE", "FAILED"),
        "IN_PROGRESS": ("AVAILABLE", "FAILED"),
        "UPDATING": ("PENDING_VERIFICATION", "PENDING_DEPLOYMENT", "AVAILABLE", "FAILED"),
        "AVAILABLE": ("UPDATING",),
        "FAILED": (),
    }
)

# The automatic path (one step per observing call): the three statuses every verification
# shows, from wherever a domain was put (a domain being updated is available again at once).
DOMAIN_AUTO_NEXT: Mapping[str, str] = MappingProxyType(
    {
        "CREATING": "PENDING_VERIFICATION",
        **{
            status: "AVAILABLE"
            for status, moves in DOMAIN_MOVES.items()
            if status != "CREATING" and "AVAILABLE" in moves
        },
    }
)

# statusReason of a failed domain when the test names none.
DEFAULT_FAILURE = "Route 53 record mismatch: the CNAME records were not found in your DNS."

_DEFAULT_SUB_DOMAINS: Mapping[str, str] = MappingProxyType({"www": "main"})


@functools.cache
def domain_statuses() -> tuple[str, ...]:
    """The model's domain statuses (its ``DomainStatus`` enum).

    >>> "PENDING_VERIFICATION" in domain_statuses()
    True
    """
    shape = _model.operation("GetDomainAssociation").output_shape
    assert shape is not None
    association: Any = shape.members["domainAssociation"]
    return tuple(association.members["domainStatus"].enum)


def _digest(*parts: object) -> bytes:
    return hashlib.sha256(":".join(map(str, parts)).encode()).digest()


def _base36(data: bytes, length: int) -> str:
    number, out = int.from_bytes(data, "big"), []
    for _ in range(length):
        number, digit = divmod(number, 36)
        out.append("0123456789abcdefghijklmnopqrstuvwxyz"[digit])
    return "".join(out)


def _arn(store: Store, app_id: str, rest: str) -> str:
    account = store.account_of_app(app_id) or "123456789012"
    return f"arn:aws:amplify:{store.region}:{account}:apps/{app_id}/{rest}"


# ------------------------------------------------------------------------------- records


@dataclass
class WebhookRecord:
    """A webhook: a URL whose POST starts a WEB_HOOK build of ``branch_name``."""

    app_id: str
    webhook_id: str
    token: str  # the secret part of its URL
    branch_name: str
    description: str | None  # None: never set (the service leaves it out)
    arn: str
    url: str
    create_time: dt.datetime
    update_time: dt.datetime

    def shape(self, *, complete: bool = False) -> dict[str, Any]:
        """The model's ``Webhook``: no ``description`` unless one was set (departure
        ``webhook-unset-description``; ``complete``: ``""``)."""
        out: dict[str, Any] = {
            "webhookArn": self.arn,
            "webhookId": self.webhook_id,
            "webhookUrl": self.url,
            "appId": self.app_id,
            "branchName": self.branch_name,
        }
        if self.description is not None or complete:
            out["description"] = self.description or ""
        out["createTime"], out["updateTime"] = self.create_time, self.update_time
        return in_model("Webhook", out)


@dataclass
class SubDomainRecord:
    """One sub-domain of a domain association: ``prefix`` served by ``branch_name``."""

    prefix: str
    branch_name: str
    verified: bool = False  # set once its domain is AVAILABLE

    def shape(self, target: str | None) -> dict[str, Any]:
        """The model's ``SubDomain``; ``target`` is the CloudFront host its CNAME names (None:
        not known yet, ``"<pending>"`` as the service writes it while creating)."""
        return {
            "subDomainSetting": {"prefix": self.prefix, "branchName": self.branch_name},
            "verified": self.verified,
            "dnsRecord": f"{self.prefix} CNAME {target or '<pending>'}",
        }


@dataclass
class DomainMove:
    """A scripted move of a domain: to ``status`` for the first call once it had ``due_after``."""

    status: str
    due_after: int
    reason: str | None = None
    applied: bool = False


@dataclass
class DomainRecord:
    """A domain association of an app, its sub-domains and where its verification stands."""

    app_id: str
    domain_name: str
    arn: str
    sub_domains: list[SubDomainRecord]
    status: str
    target: str  # the CloudFront host the sub-domains' CNAMEs name once created
    verification_record: str  # the ACM record, shown once past CREATING
    enable_auto_sub_domain: bool = False
    auto_patterns: list[str] | None = None
    auto_role: str | None = None
    certificate: dict[str, Any] | None = None  # certificateSettings as given
    reason: str | None = None  # statusReason: only when it failed
    verifying: bool = False  # left CREATING at least once
    calls: int = 0  # calls that reached it (see the module's docstring)
    auto: bool = True  # moves by itself; False once advance_domain() scripts it
    moves: list[DomainMove] = field(default_factory=list)

    def shape(self, *, complete: bool = False) -> dict[str, Any]:
        """The model's ``DomainAssociation``: no ``statusReason`` unless it failed (departure
        ``domain-without-status-reason``; ``complete``: ``""``), no
        ``certificateVerificationDNSRecord`` while CREATING, ``"<prefix> CNAME <pending>"``
        records until then (tests/published 017, 019)."""
        target = self.target if self.verifying else None
        out: dict[str, Any] = {
            "domainAssociationArn": self.arn,
            "domainName": self.domain_name,
            "enableAutoSubDomain": self.enable_auto_sub_domain,
            "domainStatus": self.status,
        }
        if self.auto_patterns is not None:
            out["autoSubDomainCreationPatterns"] = list(self.auto_patterns)
        if self.auto_role is not None:
            out["autoSubDomainIAMRole"] = self.auto_role
        if self.reason is not None or complete:
            out["statusReason"] = self.reason or ""
        custom = self.certificate is not None and self.certificate.get("type") == "CUSTOM"
        if self.verifying and not custom:
            out["certificateVerificationDNSRecord"] = self.verification_record
        out["subDomains"] = [sub.shape(target) for sub in self.sub_domains]
        if self.certificate is not None:
            certificate = dict(self.certificate)
            if "certificateVerificationDNSRecord" in out:
                certificate["certificateVerificationDNSRecord"] = self.verification_record
            out["certificate"] = certificate
        return in_model("DomainAssociation", out)

    def planned_status(self) -> str:
        """Where it stands once every scripted move has applied."""
        pending = [m for m in self.moves if not m.applied]
        return pending[-1].status if pending else self.status


@dataclass
class BackendEnvironmentRecord:
    """A backend environment of an app (the Amplify CLI's ``amplify env``)."""

    app_id: str
    environment_name: str
    arn: str
    stack_name: str
    deployment_artifacts: str
    create_time: dt.datetime
    update_time: dt.datetime

    def shape(self, *, complete: bool = False) -> dict[str, Any]:
        """The model's ``BackendEnvironment`` (tests/published 022; the service leaves out
        nothing here, so ``complete`` changes nothing)."""
        return {
            "backendEnvironmentArn": self.arn,
            "environmentName": self.environment_name,
            "stackName": self.stack_name,
            "deploymentArtifacts": self.deployment_artifacts,
            "createTime": self.create_time,
            "updateTime": self.update_time,
        }


# ----------------------------------------------------------------------------- resources


class Resources:
    """The store's webhooks, domain associations, backend environments and tags.

    Every method expects the caller to hold ``store.lock``; the operations raise
    :class:`ServiceError` with the service's codes.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        # By webhookId, (appId, domainName) and (appId, environmentName), in creation order.
        self.webhooks: Collection[str, WebhookRecord] = Collection(
            MESSAGES["webhook-not-found"].format
        )
        self.domains: Collection[tuple[str, str], DomainRecord] = Collection(
            lambda key: MESSAGES["domain-not-found"].format(key[1])
        )
        self.backends: Collection[tuple[str, str], BackendEnvironmentRecord] = Collection(
            lambda key: MESSAGES["backend-not-found"].format(key[1])
        )
        self.auto_verify = True  # domains move by themselves (see the module's docstring)
        self.created = 0  # resources created so far: derives ids, tokens and hosts

    # ------------------------------------------------------------------------- cascades

    def forget_branch(self, app_id: str, branch_name: str) -> None:
        """A branch was deleted: what belongs to it goes (its webhooks, its sub-domains).

        A domain left without sub-domains goes too (the service keeps none without one).
        """
        self.webhooks.drop_where(lambda w: (w.app_id, w.branch_name) == (app_id, branch_name))
        for key, domain in list(self.domains.items()):
            if domain.app_id != app_id:
                continue
            domain.sub_domains = [s for s in domain.sub_domains if s.branch_name != branch_name]
            if not domain.sub_domains:
                del self.domains[key]

    def forget_app(self, app_id: str) -> None:
        """An app was deleted: everything of it goes."""
        self.webhooks.drop_where(lambda w: w.app_id == app_id)
        self.domains.drop_where(lambda d: d.app_id == app_id)
        self.backends.drop_where(lambda b: b.app_id == app_id)

    # --------------------------------------------------------------------------- helpers

    def _next(self, kind: str) -> bytes:
        self.created += 1
        return _digest(self.store.seed, kind, self.created)

    def _branch_or_not_found(self, app_id: str, branch_name: str, code: str = NOT_FOUND) -> None:
        if (app_id, branch_name) not in self.store.branches:
            raise ServiceError(code, MESSAGES["branch-not-found"].format(branch_name))

    def _page(
        self, operation: str, app_id: str, items: list[Any], token: str | None, size: int
    ) -> tuple[list[Any], str | None]:
        """One page of ``items`` and the token of the next (None: the last), as ListBranches."""
        return self.store.tokens.page(operation, app_id, items, token, size)

    # -------------------------------------------------------------------------- webhooks

    def create_webhook(
        self, app_id: str, branch_name: str, description: str | None
    ) -> WebhookRecord:
        """CreateWebhook: a webhook of an existing branch, its URL on the fake's endpoint."""
        self.store.reach_app("CreateWebhook", app_id)
        self._branch_or_not_found(app_id, branch_name)
        return self.new_webhook(app_id, branch_name, description)

    def new_webhook(self, app_id: str, branch_name: str, description: str | None) -> WebhookRecord:
        """A webhook of ``branch_name`` (it exists), no call counted."""
        digest = self._next("webhook")
        webhook_id = str(uuid.UUID(bytes=digest[:16], version=4))
        token = digest[16:32].hex()
        if self.store.url_for is not None:
            url = self.store.file_url(f"webhooks/{webhook_id}/{token}")
        else:  # generated responses nobody serves: the service's own form
            url = (
                f"https://webhooks.amplify.{self.store.region}.amazonaws.com/prod/webhooks"
                f"?id={webhook_id}&token={token}&operation=startbuild"
            )
        now = self.store.now()
        record = WebhookRecord(
            app_id,
            webhook_id,
            token,
            branch_name,
            description,
            _arn(self.store, app_id, f"webhooks/{webhook_id}"),
            url,
            now,
            now,
        )
        self.webhooks[webhook_id] = record
        return record

    def webhook(self, operation: str, webhook_id: str) -> WebhookRecord:
        """The webhook of a call (counted on its app), or NotFoundException."""
        record = self.webhooks.get(webhook_id)
        self.store.reach_app(operation, record.app_id if record is not None else None)
        return self.webhooks.find(webhook_id)

    def list_webhooks(
        self, app_id: str, token: str | None, size: int
    ) -> tuple[list[WebhookRecord], str | None]:
        """One page of an app's webhooks (in the order they were created)."""
        self.store.reach_app("ListWebhooks", app_id)
        mine = self.webhooks.where(lambda w: w.app_id == app_id)
        return self._page("ListWebhooks", app_id, mine, token, size)

    def update_webhook(
        self, webhook_id: str, branch_name: str | None, description: str | None
    ) -> WebhookRecord:
        """UpdateWebhook: another branch of its app, another description."""
        record = self.webhook("UpdateWebhook", webhook_id)
        if branch_name is not None:
            self._branch_or_not_found(record.app_id, branch_name)
            record.branch_name = branch_name
        if description is not None:
            record.description = description
        record.update_time = self.store.tick(1)
        return record

    def delete_webhook(self, webhook_id: str) -> WebhookRecord:
        record = self.webhook("DeleteWebhook", webhook_id)
        del self.webhooks[webhook_id]
        return record

    def receive_webhook(self, path: str, body: bytes) -> tuple[int, bytes]:
        """A POST to a webhook URL the fake handed out: starts a WEB_HOOK job on its branch.

        Answers 404 for an unknown webhook or token, or a webhook whose branch is gone; 400
        for an app deployed manually (it does not build). The body is ignored, as the
        service ignores it; the answer is the one a trigger gets (aws-amplify/amplify-hosting#145).
        """
        with self.store.lock:
            parts = path.split("/")
            record = self.webhooks.get(parts[1]) if len(parts) == 3 else None
            if (
                record is None
                or not hmac.compare_digest(parts[2].encode(), record.token.encode())
                or record.app_id not in self.store.apps
                or (record.app_id, record.branch_name) not in self.store.branches
            ):
                return 404, json.dumps({"message": "Webhook not found."}).encode()
            try:
                self.store.check_kind(record.app_id, "StartJob")
            except ServiceError as error:
                return 400, json.dumps({"message": error.message}).encode()
            queued = _model.model().queued_statuses[-1]
            job = self.store.jobs.add_job(
                record.app_id, record.branch_name, queued, "WEB_HOOK", None, auto=True
            )
            request_id = str(uuid.UUID(bytes=_digest(self.store.seed, "hook", job["jobArn"])[:16]))
            answer = {"SendMessageResponse": {"ResponseMetadata": {"RequestId": request_id}}}
            return 200, json.dumps(answer).encode()

    # ---------------------------------------------------------------- domain associations

    def _sub_domains(
        self, app_id: str, domain_name: str, settings: list[Mapping[str, Any]]
    ) -> list[SubDomainRecord]:
        prefixes: set[str] = set()
        out = []
        for setting in settings:
            prefix, branch_name = setting["prefix"], setting["branchName"]
            if prefix in prefixes:
                raise ServiceError(BAD_REQUEST, MESSAGES["sub-domain-twice"].format(prefix))
            prefixes.add(prefix)
            # The service refuses a sub-domain of a branch the app lacks: a bad request, not
            # a missing domain association.
            self._branch_or_not_found(app_id, branch_name, BAD_REQUEST)
            out.append(SubDomainRecord(prefix, branch_name))
        if not out:
            raise ServiceError(BAD_REQUEST, MESSAGES["domain-no-sub-domains"].format(domain_name))
        return out

    def new_domain(self, app_id: str, params: Mapping[str, Any]) -> DomainRecord:
        """A domain association of ``app_id`` (the app exists), CREATING, from the
        parameters of CreateDomainAssociation."""
        name = params["domainName"]
        for domain in self.domains.values():
            if domain.domain_name.rstrip(".") == name.rstrip("."):
                raise ServiceError(
                    BAD_REQUEST, MESSAGES["domain-exists"].format(name, domain.app_id)
                )
        subs = self._sub_domains(app_id, name, params["subDomainSettings"])
        digest = self._next("domain")
        letters = "".join(chr(ord("a") + b % 26) for b in digest[24:34])
        bare = name.rstrip(".")
        record = DomainRecord(
            app_id,
            name,
            _arn(self.store, app_id, f"domains/{name}"),
            subs,
            "CREATING",
            target=f"d{_base36(digest[:12], 13)}.cloudfront.net",
            verification_record=(
                f"_{digest[:16].hex()}.{bare}. CNAME _{_digest(digest.hex()).hex()[:32]}"
                f".{letters}.acm-validations.aws."
            ),
            enable_auto_sub_domain=bool(params.get("enableAutoSubDomain", False)),
            auto_patterns=params.get("autoSubDomainCreationPatterns"),
            auto_role=params.get("autoSubDomainIAMRole"),
            certificate=params.get("certificateSettings"),
        )
        self.domains[(app_id, name)] = record
        return record

    def create_domain(self, app_id: str, params: Mapping[str, Any]) -> DomainRecord:
        """CreateDomainAssociation: CREATING, sub-domains of existing branches only."""
        self.store.reach_app("CreateDomainAssociation", app_id)
        return self.new_domain(app_id, params)

    def domain(
        self, operation: str, app_id: str, domain_name: str, *, observe: bool
    ) -> DomainRecord:
        """The domain of a call (one call on it), moved first as its calls make due.

        A call answered with a scripted fault is a call on the domain too, as on a branch:
        the moves due before it apply, and it counts for ``advance_domain(after_calls=...)``.
        """
        record = self.domains.get((app_id, domain_name))
        due = self.store.faults.take(app_id, None, operation)
        if due is not None:
            if record is not None:
                self.apply_due(record)
                record.calls += 1
            raise fault_error(due, operation)
        self.store.tick(1)
        self.store.apps.find(app_id)
        record = self.domains.find((app_id, domain_name))
        self.count_call(record, observe=observe)
        return record

    def count_call(self, record: DomainRecord, *, observe: bool) -> None:
        """One call on a domain: moves due after the calls so far, then (observing) a step."""
        self.apply_due(record)
        record.calls += 1
        if observe and record.auto and self.auto_verify:
            following = DOMAIN_AUTO_NEXT.get(record.status)
            if following is not None:
                self.set_status(record, following, None)

    def apply_due(self, record: DomainRecord) -> None:
        for move in record.moves:
            if not move.applied and move.due_after <= record.calls:
                move.applied = True
                self.set_status(record, move.status, move.reason)

    def set_status(self, record: DomainRecord, status: str, reason: str | None) -> None:
        record.status = status
        record.reason = (reason or DEFAULT_FAILURE) if status == "FAILED" else None
        if status != "CREATING":
            record.verifying = True
        if status == "AVAILABLE":
            for sub in record.sub_domains:
                sub.verified = True
        self.store.tick(1)

    def list_domains(
        self, app_id: str, token: str | None, size: int
    ) -> tuple[list[DomainRecord], str | None]:
        """One page of an app's domains; the call observes (and moves) every one of them."""
        self.store.reach_app("ListDomainAssociations", app_id)
        mine = [d for d in self.domains.values() if d.app_id == app_id]
        for record in mine:
            self.count_call(record, observe=True)
        return self._page("ListDomainAssociations", app_id, mine, token, size)

    def update_domain(self, app_id: str, params: Mapping[str, Any]) -> DomainRecord:
        """UpdateDomainAssociation: new settings; an AVAILABLE domain whose sub-domains change
        is UPDATING (its new sub-domains unverified) until its next step."""
        record = self.domain("UpdateDomainAssociation", app_id, params["domainName"], observe=False)
        if "subDomainSettings" in params:
            old = {(s.prefix, s.branch_name): s for s in record.sub_domains}
            subs = self._sub_domains(app_id, record.domain_name, params["subDomainSettings"])
            record.sub_domains = [old.get((s.prefix, s.branch_name), s) for s in subs]
            changed = set(old) != {(s.prefix, s.branch_name) for s in subs}
            pending = any(not m.applied for m in record.moves)
            if changed and record.status == "AVAILABLE" and not pending:
                self.set_status(record, "UPDATING", None)
        if "enableAutoSubDomain" in params:
            record.enable_auto_sub_domain = bool(params["enableAutoSubDomain"])
        if "autoSubDomainCreationPatterns" in params:
            record.auto_patterns = list(params["autoSubDomainCreationPatterns"])
        if "autoSubDomainIAMRole" in params:
            record.auto_role = params["autoSubDomainIAMRole"]
        if "certificateSettings" in params:
            record.certificate = dict(params["certificateSettings"])
        return record

    def delete_domain(self, app_id: str, domain_name: str) -> DomainRecord:
        record = self.domain("DeleteDomainAssociation", app_id, domain_name, observe=False)
        del self.domains[(app_id, domain_name)]
        return record

    def schedule_domain(
        self, record: DomainRecord, status: str, after_calls: int, reason: str | None
    ) -> None:
        """Move ``record`` to ``status`` once it had ``after_calls`` more calls (ValueError for
        a move DNS verification does not make, or one before a move already scripted)."""
        current = record.planned_status()
        allowed = DOMAIN_MOVES.get(current, ())
        if status not in allowed:
            raise ValueError(
                f"status={status!r}: domain {record.domain_name} cannot go from {current} to "
                f"{status}; allowed: {', '.join(allowed) or 'none (it has failed)'}"
            )
        pending = [m for m in record.moves if not m.applied]
        due = record.calls + after_calls
        if pending and due < pending[-1].due_after:
            earlier = pending[-1].due_after - record.calls
            raise ValueError(
                f"after_calls={after_calls}: domain {record.domain_name} already moves to "
                f"{pending[-1].status} after {earlier} more call(s); a later move cannot come "
                f"before it (allowed: after_calls >= {earlier})"
            )
        record.moves.append(DomainMove(status, due, reason))
        record.auto = False  # exact control from now on
        self.apply_due(record)

    # --------------------------------------------------------------- backend environments

    def create_backend(
        self,
        app_id: str,
        name: str,
        stack_name: str | None,
        deployment_artifacts: str | None,
    ) -> BackendEnvironmentRecord:
        """CreateBackendEnvironment: the stack and bucket named as the service names them
        when not given (tests/published 022: the app's name cut to 12 characters, the
        environment, the creation time's HHMMSS in UTC; the bucket lower-cased)."""
        self.store.reach_app("CreateBackendEnvironment", app_id)
        return self.new_backend(app_id, name, stack_name, deployment_artifacts)

    def new_backend(
        self,
        app_id: str,
        name: str,
        stack_name: str | None,
        deployment_artifacts: str | None,
    ) -> BackendEnvironmentRecord:
        """A backend environment of ``app_id`` (it exists), no call counted."""
        app = self.store.apps[app_id]
        if (app_id, name) in self.backends:
            raise ServiceError(BAD_REQUEST, MESSAGES["backend-exists"].format(name))
        now = self.store.now()
        stem = f"{app.members['name'][:12]}-{name}-{now.astimezone(dt.timezone.utc):%H%M%S}"
        record = BackendEnvironmentRecord(
            app_id,
            name,
            _arn(self.store, app_id, f"backendenvironments/{name}"),
            stack_name or f"amplify-{stem}",
            deployment_artifacts or f"{stem.lower()}-deployment",
            now,
            now,
        )
        self.backends[(app_id, name)] = record
        return record

    def backend(self, operation: str, app_id: str, name: str) -> BackendEnvironmentRecord:
        self.store.reach_app(operation, app_id)
        return self.backends.find((app_id, name))

    def list_backends(
        self, app_id: str, name: str | None, token: str | None, size: int
    ) -> tuple[list[BackendEnvironmentRecord], str | None]:
        """One page of an app's backend environments (``name``: that one only)."""
        self.store.reach_app("ListBackendEnvironments", app_id)
        mine = self.backends.where(
            lambda b: b.app_id == app_id and name in (None, b.environment_name)
        )
        return self._page("ListBackendEnvironments", app_id, mine, token, size)

    def delete_backend(self, app_id: str, name: str) -> BackendEnvironmentRecord:
        record = self.backend("DeleteBackendEnvironment", app_id, name)
        del self.backends[(app_id, name)]
        return record


# -------------------------------------------------------------------------------- facade


def _check_members(operation: str, **members: tuple[str, object]) -> None:
    """Each ``name=(member, value)`` is a value ``operation``'s request accepts for ``member``."""
    shape = _model.operation(operation).input_shape
    assert shape is not None
    for name, (member, value) in members.items():
        params: dict[str, object] = {
            m: "d0" if m == "appId" else "x.com" if m == "domainName" else "x"
            for m in shape.required_members
            if m != "subDomainSettings"
        }
        params[member] = value
        violations = [v for v in request_violations(params, operation) if v.path.startswith(member)]
        if violations:
            raise ValueError(
                f"{name}={short_repr(value)} is rejected by the model ({operation} "
                f"{member}): {violations[0].rule}"
            )


class ResourcesFacade:
    """The fake's public methods for these resources (``AmplifyFake`` inherits them): set up
    and script webhooks, domain associations and backend environments from a test."""

    _store: Store

    def _app(self, app_id: str) -> None:
        if app_id not in self._store.apps:
            raise ValueError(
                f"the fake has no app {app_id!r} (app_id={app_id!r}); known: "
                f"{self._store.known_apps()}"
            )

    def add_webhook(
        self, app_id: str, branch_name: str, *, description: str | None = None
    ) -> dict[str, Any]:
        """Serve a webhook of a branch the fake has, as CreateWebhook makes it, and return it
        (the model's ``Webhook``). A POST to its ``webhookUrl`` (on the fake's local endpoint)
        starts a ``WEB_HOOK`` job on the branch.

        >>> from pytest_amplify_jobs import fake_amplify
        >>> with fake_amplify() as fake:
        ...     _ = fake.add_branch("d1abc", "main", jobs=1)
        ...     hook = fake.add_webhook("d1abc", "main")
        >>> hook["webhookArn"].split(":")[-1] == "apps/d1abc/webhooks/" + hook["webhookId"]
        True
        """
        _check_members(
            "CreateWebhook", app_id=("appId", app_id), branch_name=("branchName", branch_name)
        )
        if description is not None:
            _check_members("CreateWebhook", description=("description", description))
        with self._store.lock:
            self._store.branch(app_id, branch_name)
            resources = self._store.resources
            record = resources.new_webhook(app_id, branch_name, description)
            return record.shape(complete=self._store.complete)

    def add_domain(
        self,
        app_id: str,
        domain_name: str,
        sub_domains: Mapping[str, str] = _DEFAULT_SUB_DOMAINS,
        *,
        status: str = "CREATING",
        reason: str | None = None,
        enable_auto_sub_domain: bool = False,
    ) -> dict[str, Any]:
        """Serve a domain association of an app, ``sub_domains`` mapping each prefix to a
        branch the app has (``{"www": "main"}``; ``""`` is the apex), and return it (the
        model's ``DomainAssociation``, as GetDomainAssociation shows it).

        It starts at ``status`` (any of the model's domain statuses; ``reason`` is the
        ``statusReason`` of a ``FAILED`` one) and moves by itself, one step per observing
        call (GetDomainAssociation, ListDomainAssociations of its app):
        ``CREATING -> PENDING_VERIFICATION -> AVAILABLE``; see :meth:`advance_domain` and
        :meth:`auto_verify_domains`.

        >>> from pytest_amplify_jobs import fake_amplify
        >>> with fake_amplify() as fake:
        ...     _ = fake.add_branch("d1abc", "main", jobs=1)
        ...     domain = fake.add_domain("d1abc", "example.com", {"www": "main"})
        >>> domain["domainStatus"], domain["subDomains"][0]["dnsRecord"]
        ('CREATING', 'www CNAME <pending>')
        """
        _check_members(
            "CreateDomainAssociation",
            app_id=("appId", app_id),
            domain_name=("domainName", domain_name),
        )
        if not isinstance(sub_domains, Mapping) or not sub_domains:
            raise ValueError(
                f"sub_domains={short_repr(sub_domains)} must be a non-empty mapping of "
                'prefix to branch name, e.g. {"www": "main"}'
            )
        for prefix, branch_name in sub_domains.items():
            _check_members(
                "CreateDomainAssociation",
                sub_domains=("subDomainSettings", [{"prefix": prefix, "branchName": branch_name}]),
            )
        statuses = domain_statuses()
        if not isinstance(status, str) or status not in statuses:
            raise ValueError(
                f"status={short_repr(status)} is not a domain status; allowed: "
                f"{', '.join(statuses)}"
            )
        _check_reason(status, reason)
        check_bool(ValueError, "enable_auto_sub_domain", enable_auto_sub_domain)
        settings = [{"prefix": p, "branchName": b} for p, b in sub_domains.items()]
        with self._store.lock:
            self._app(app_id)
            for branch_name in sub_domains.values():
                self._store.branch(app_id, branch_name)
            resources = self._store.resources
            if (app_id, domain_name) in resources.domains:
                raise ValueError(
                    f"domain_name={domain_name!r}: app {app_id} already has that domain"
                )
            try:
                record = resources.new_domain(
                    app_id,
                    {
                        "domainName": domain_name,
                        "subDomainSettings": settings,
                        "enableAutoSubDomain": enable_auto_sub_domain,
                    },
                )
            except ServiceError as error:
                raise ValueError(f"domain_name={domain_name!r}: {error.message}") from None
            if status != "CREATING":
                resources.set_status(record, status, reason)
            return record.shape(complete=self._store.complete)

    def domain_info(self, app_id: str, domain_name: str) -> dict[str, Any]:
        """The domain association as GetDomainAssociation shows it now (a copy), without
        counting a call or moving it."""
        with self._store.lock:
            return self._domain_record(app_id, domain_name).shape(complete=self._store.complete)

    def advance_domain(
        self,
        app_id: str,
        domain_name: str,
        status: str,
        *,
        after_calls: int = 0,
        reason: str | None = None,
    ) -> None:
        """Move a domain association to ``status`` as DNS verification would:
        ``after_calls=N``: N calls on it see the old status, call N+1 the new one (each
        GetDomainAssociation, UpdateDomainAssociation or DeleteDomainAssociation of it, and
        each ListDomainAssociations of its app, is a call on it). ``FAILED`` carries
        ``reason`` as its ``statusReason`` (by default a Route 53 record mismatch). A domain
        given to this method no longer moves by itself. Moves DNS verification does not make
        raise ``ValueError`` naming the allowed ones.

        >>> from pytest_amplify_jobs import fake_amplify
        >>> with fake_amplify() as fake:
        ...     _ = fake.add_branch("d1abc", "main", jobs=1)
        ...     _ = fake.add_domain("d1abc", "example.com")
        ...     fake.advance_domain("d1abc", "example.com", "AVAILABLE")
        Traceback (most recent call last):
        ...
        ValueError: status='AVAILABLE': domain example.com cannot go from CREATING to AVAILABLE; allowed: PENDING_VERIFICATION, REQUESTING_CERTIFICATE, IMPORTING_CUSTOM_CERTIFICATE, AWAITING_APP_CNAME, FAILED
        """
        statuses = domain_statuses()
        if not isinstance(status, str) or status not in statuses:
            raise ValueError(
                f"status={short_repr(status)} is not a domain status; allowed: "
                f"{', '.join(statuses)}"
            )
        check_int(ValueError, "after_calls", after_calls, 0)
        _check_reason(status, reason)
        with self._store.lock:
            record = self._domain_record(app_id, domain_name)
            self._store.resources.schedule_domain(record, status, after_calls, reason)

    def auto_verify_domains(self, on: bool = True) -> None:
        """Whether domain associations move by themselves (default): one step per observing
        call, ``CREATING -> PENDING_VERIFICATION -> AVAILABLE``. ``False`` keeps each where it
        is until :meth:`advance_domain` moves it.

        >>> from pytest_amplify_jobs import fake_amplify
        >>> with fake_amplify() as fake:
        ...     fake.auto_verify_domains("no")
        Traceback (most recent call last):
        ...
        ValueError: on='no' must be True or False
        """
        check_bool(ValueError, "on", on)
        with self._store.lock:
            self._store.resources.auto_verify = on

    def add_backend_environment(
        self,
        app_id: str,
        environment_name: str,
        *,
        stack_name: str | None = None,
        deployment_artifacts: str | None = None,
    ) -> dict[str, Any]:
        """Serve a backend environment of an app, as CreateBackendEnvironment makes it, and
        return it (the model's ``BackendEnvironment``). Without ``stack_name`` and
        ``deployment_artifacts`` they are named as the service names them
        (``amplify-<app name[:12]>-<environment>-<HHMMSS>``).

        >>> from pytest_amplify_jobs import fake_amplify
        >>> with fake_amplify() as fake:
        ...     app = fake.add_app("d1abc")
        ...     env = fake.add_backend_environment("d1abc", "staging")
        >>> env["backendEnvironmentArn"].endswith(":apps/d1abc/backendenvironments/staging")
        True
        """
        _check_members(
            "CreateBackendEnvironment",
            app_id=("appId", app_id),
            environment_name=("environmentName", environment_name),
        )
        for name, member, value in (
            ("stack_name", "stackName", stack_name),
            ("deployment_artifacts", "deploymentArtifacts", deployment_artifacts),
        ):
            if value is not None:
                _check_members("CreateBackendEnvironment", **{name: (member, value)})
        with self._store.lock:
            self._app(app_id)
            try:
                record = self._store.resources.new_backend(
                    app_id, environment_name, stack_name, deployment_artifacts
                )
            except ServiceError as error:
                raise ValueError(
                    f"environment_name={environment_name!r}: {error.message}"
                ) from None
            return record.shape()

    def _domain_record(self, app_id: str, domain_name: str) -> DomainRecord:
        record = self._store.resources.domains.get((app_id, domain_name))
        if record is None:
            known = ", ".join(f"{a}/{d}" for a, d in self._store.resources.domains) or "none"
            raise ValueError(
                f"the fake has no domain association {domain_name!r} of app {app_id!r}; "
                f"known: {known}"
            )
        return record


def _check_reason(status: str, reason: object) -> None:
    if reason is None:
        return
    if status != "FAILED":
        raise ValueError(
            f"reason={short_repr(reason)} is the statusReason of a FAILED domain; status="
            f"{status!r} has none (allowed: reason=None, or status='FAILED')"
        )
    if not isinstance(reason, str) or not 0 < len(reason) <= 1000:
        raise ValueError(f"reason={short_repr(reason)} must be a string of 1 to 1000 characters")
