"""Queues of Amplify calls: what a test does with them, and the botocore ``Stubber`` one.

:class:`AmplifyQueue` is shared by every mechanism that serves queued calls (the Stubber here,
intercept mode in :mod:`._intercept`): ListJobs chains (adding, generating with seeds and marker
defaults), responses of every other job operation in the ``Stubber``'s own vocabulary
(``add_response``, ``add_client_error``, plus ``add_job_progress``), recording calls and the
failure report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pytest_amplify_jobs import _botocore, _model, _wire
from pytest_amplify_jobs._chain import ListJobsChain, chain_from
from pytest_amplify_jobs._checks import check_region, check_seed
from pytest_amplify_jobs._expect import (
    CallExpectation,
    Expectation,
    copy_response,
    event_name,
    install_probe,
)
from pytest_amplify_jobs._options import GenerateOptions
from pytest_amplify_jobs._responses import ResponseScript, operation_of
from pytest_amplify_jobs._text import call_text, method_name, pending_message, short_repr
from pytest_amplify_jobs._validate import InvalidResponse, response_violations

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.stub import Stubber

__all__ = ["AmplifyQueue", "AmplifyStub", "pending_calls"]


def _summary(operation: str, response: Mapping[str, Any]) -> str:
    """A few words on a queued response, for pending lists and reports."""
    summary = response.get("jobSummary")
    job = response.get("job")
    if isinstance(job, Mapping):
        summary = job.get("summary")
    if isinstance(summary, Mapping):
        return f"job {summary.get('jobId')} {summary.get('status')}"
    error = response.get("Error")
    if isinstance(error, Mapping):
        return f"error {error.get('Code')}"
    return f"{operation} response"


def pending_calls(stubber: Stubber) -> list[str]:
    """A description of every call still queued on ``stubber``, ours or queued by hand."""
    entries = _botocore.queued_entries(stubber)
    if entries is None:
        try:
            stubber.assert_no_pending_responses()
        except AssertionError as error:
            return [str(error)]
        return []
    out = []
    for operation, expected in entries:
        if isinstance(expected, (Expectation, CallExpectation)):
            out.append(expected.describe())
        else:
            out.append(f"{operation} (queued on the Stubber by hand)")
    return out


class AmplifyQueue:
    """What a test does with queued ListJobs chains, whichever mechanism serves them.

    Subclasses say how a chain is queued (:meth:`_queue`) and what is still pending
    (:meth:`pending`); adding, generating with seeds and marker defaults, recording calls and
    the failure report are shared.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        defaults: Mapping[str, Any] | None = None,
        region: str = "us-east-1",
    ) -> None:
        check_seed(ValueError, seed)
        check_region(ValueError, region, none_ok=False)
        if defaults is not None and not isinstance(defaults, Mapping):
            raise TypeError(
                f"defaults={short_repr(defaults)} must be a mapping of generate options "
                f"({', '.join(GenerateOptions.names())}) or None"
            )
        if defaults:
            GenerateOptions.check_keys(defaults, "defaults")
        self.seed = seed
        self.region = region
        self._defaults = dict(defaults or {})
        self._chains: list[ListJobsChain] = []
        self._seeds: list[int] = []
        self._calls: list[dict[str, Any]] = []
        self._all_calls: list[tuple[str, dict[str, Any]]] = []
        self._script: ResponseScript | None = None
        self._responses = 0

    def _queue(self, chain: ListJobsChain) -> None:
        raise NotImplementedError

    def _queue_response(
        self, operation: str, response: dict[str, Any], expectation: CallExpectation
    ) -> None:
        """Queue one response (an error response when it holds ``Error``)."""
        raise NotImplementedError

    def pending(self) -> list[str]:
        """Descriptions of the calls still queued."""
        raise NotImplementedError

    def _record(self, params: Mapping[str, Any], model: Any = None, **_: Any) -> None:
        operation = model.name if model is not None else _model.OPERATION_NAME
        self._all_calls.append((operation, dict(params)))
        if operation == _model.OPERATION_NAME:
            self._calls.append(dict(params))

    @property
    def script(self) -> ResponseScript:
        """The :class:`ResponseScript` generated responses come from: every chain queued so
        far, and the calls queued since (a started job is known to later GetJob responses)."""
        if self._script is None:
            self._script = ResponseScript(
                seed=self.seed,
                region=self.region,
                model_complete=bool(self._defaults.get("model_complete", False)),
            )
            for chain in self._chains:
                self._script.add_chain(chain)
        return self._script

    def add(self, chain: ListJobsChain) -> ListJobsChain:
        """Queue an explicit chain (hand-built ones are validated first, departures allowed as the
        service sends them)."""
        if not isinstance(chain, ListJobsChain):
            raise TypeError(
                f"chain={short_repr(chain)} must be a ListJobsChain "
                "(from generate_chain, a strategy, or ListJobsChain(...))"
            )
        self._queue(chain)
        self._chains.append(chain)
        if self._script is not None:
            self._script.add_chain(chain)
        return chain

    def add_response(
        self,
        operation_name: str,
        service_response: Mapping[str, Any] | None = None,
        expected_params: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Queue a response of any job operation, as ``Stubber.add_response`` does.

        ``operation_name`` is ``"GetJob"`` or the method name ``"get_job"``. With no
        ``service_response``, one is generated for ``expected_params`` (filled in where left
        out: the latest chain's app and branch, the job started last...), coherent with the
        chains and calls queued so far (see :class:`ResponseScript`). A hand-written response
        is validated first: every model rule, with the service's recorded departures
        (``departures()``) allowed in the combination each row describes. ``expected_params`` (None: not checked) are checked like
        the Stubber's, and a mismatch names each differing parameter. Returns a copy of the
        queued response.
        """
        operation = operation_of(operation_name)
        if expected_params is not None and not isinstance(expected_params, Mapping):
            raise TypeError(
                f"expected_params={short_repr(expected_params)} must be a dict of parameters "
                "or None (not checked)"
            )
        if service_response is None:
            response = self.script.response(operation, expected_params)
        else:
            if not isinstance(service_response, Mapping):
                raise TypeError(
                    f"service_response={short_repr(service_response)} must be a dict "
                    f"(a {operation} response) or None (generated)"
                )
            violations = response_violations(service_response, operation)
            if violations:
                raise InvalidResponse(violations, operation, subject="service_response")
            response = copy_response(dict(service_response))
            self.script.learn(operation, response)
        self._queue_response(
            operation,
            copy_response(response),
            CallExpectation(operation, expected_params, _summary(operation, response)),
        )
        self._responses += 1
        return response

    def add_throttling(
        self, operation_name: str, expected_params: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Queue the service's rate limit for one call: ``BadRequestException``, HTTP 400,
        ``"Rate exceeded while calling <Operation>, please slow down or try again later."``
        (aws-amplify/amplify-hosting#3748), which botocore retries in neither retry mode."""
        return self.add_client_error(
            operation_name, "BadRequestException", expected_params=expected_params
        )

    def add_client_error(
        self,
        operation_name: str,
        service_error_code: str = "",
        service_message: str = "",
        http_status_code: int | None = None,
        service_error_meta: Mapping[str, Any] | None = None,
        expected_params: Mapping[str, Any] | None = None,
        response_meta: Mapping[str, Any] | None = None,
        modeled_fields: Mapping[str, Any] | None = None,
        *,
        message: str | None = None,
    ) -> dict[str, Any]:
        """Queue an error, as ``Stubber.add_client_error`` does, with the model's defaults.

        ``service_error_code`` is an error the operation models, or one AWS's front end sends
        for every operation (``ThrottlingException``, ``AccessDeniedException``...);
        ``http_status_code`` defaults to the status AWS uses for it, the message to the
        service's text for the code and the operation (a ``BadRequestException``: the rate
        limit, "Rate exceeded while calling StartJob, please slow down or try again later."),
        and the modeled ``message`` field is set as botocore parses it. ``message=`` gives
        another text, as ``fake.fail(..., message=...)`` does (``service_message``, botocore's
        name, is the same; give one of them). Returns the parsed error response the call
        raises with (``ClientError.response``).

        >>> from botocore.stub import Stubber
        >>> from pytest_amplify_jobs._client import make_client
        >>> client = make_client()
        >>> with Stubber(client) as stubber:
        ...     stub = AmplifyStub(client, stubber)
        ...     throttled = stub.add_client_error("StartJob", "BadRequestException")
        ...     other = stub.add_client_error("GetJob", "BadRequestException", message="Bad id.")
        >>> throttled["Error"]["Message"]
        'Rate exceeded while calling StartJob, please slow down or try again later.'
        >>> other["Error"]["Message"], other["ResponseMetadata"]["HTTPStatusCode"]
        ('Bad id.', 400)
        """
        operation = operation_of(operation_name)
        allowed = _model.all_error_codes(operation)
        if not isinstance(service_error_code, str) or service_error_code not in allowed:
            raise ValueError(
                f"service_error_code={short_repr(service_error_code)} is neither an error "
                f"{operation} models nor one AWS's front end sends; allowed: {', '.join(allowed)}"
            )
        fact = _model.error_fact(service_error_code, operation, name="service_error_code")
        status = http_status_code
        if status is None:
            status = fact.http_status
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise ValueError(
                f"http_status_code={short_repr(status)} is not an error status; expected an "
                f"integer from 400 to 599 or None (AWS's for {service_error_code}: "
                f"{fact.http_status})"
            )
        if not isinstance(service_message, str):
            raise TypeError(f"service_message={short_repr(service_message)} must be a string")
        if message is not None and not isinstance(message, str):
            raise TypeError(f"message={short_repr(message)} must be a string or None")
        if message is not None and service_message:
            raise ValueError(
                f"message={short_repr(message)} and service_message="
                f"{short_repr(service_message)} both give the error's text; give one of them"
            )
        message = message if message is not None else (service_message or fact.message)
        for name, value in (
            ("service_error_meta", service_error_meta),
            ("expected_params", expected_params),
            ("response_meta", response_meta),
            ("modeled_fields", modeled_fields),
        ):
            if value is not None and not isinstance(value, Mapping):
                raise TypeError(f"{name}={short_repr(value)} must be a dict or None")
        when = self.script.store.now()
        self._responses += 1
        rid = _wire.request_id(self.seed * 7919 + 15485863 + self._responses)
        response: dict[str, Any] = {
            "ResponseMetadata": {
                **_wire.response_metadata(
                    rid,
                    when,
                    status=status,
                    length=len(_wire.error_body(message)),
                    error_code=service_error_code,
                ),
                **(response_meta or {}),
            },
            "Error": {"Message": message, "Code": service_error_code, **(service_error_meta or {})},
        }
        shape = next(
            (e for e in _model.operation(operation).error_shapes if e.name == service_error_code),
            None,
        )
        if modeled_fields is not None:
            response.update(modeled_fields)
        elif "message" in getattr(shape, "members", {}):
            response["message"] = message
        self._queue_response(
            operation,
            copy_response(response),
            CallExpectation(operation, expected_params, f"error {service_error_code}"),
        )
        return response

    def add_job_progress(
        self,
        job_id: str | None = None,
        *,
        app_id: str | None = None,
        branch_name: str | None = None,
        to: str = "SUCCEED",
    ) -> list[dict[str, Any]]:
        """Queue the GetJob responses of code polling a job until it finishes; return them.

        ``job_id`` defaults to the job the last queued StartJob / StartDeployment response
        started (else the branch's newest job). One response per poll, each moving the job one
        lifecycle step as the fake does (``PENDING`` behind a running build,
        ``PROVISIONING``, ``RUNNING``, then ``to``: ``SUCCEED``, ``FAILED`` or ``CANCELLED``),
        each expecting ``appId``, ``branchName`` and ``jobId``.
        """
        responses = self.script.job_progress(job_id, app_id=app_id, branch_name=branch_name, to=to)
        for response in responses:
            summary = response["job"]["summary"]
            arn_app, arn_branch = summary["jobArn"].split(":apps/", 1)[1].split("/branches/")
            params = {
                "appId": arn_app,
                "branchName": arn_branch.rsplit("/jobs/", 1)[0],
                "jobId": summary["jobId"],
            }
            self._queue_response(
                "GetJob",
                copy_response(response),
                CallExpectation("GetJob", params, _summary("GetJob", response)),
            )
            self._responses += 1
        return responses

    def generate(self, **kwargs: Any) -> ListJobsChain:
        """``generate_chain(**kwargs)`` with marker defaults and this test's seed, queued."""
        GenerateOptions.check_keys(kwargs, "generate()")
        merged = {**self._defaults, **kwargs}
        merged.setdefault("seed", self.seed + len(self._chains))
        merged.setdefault("region", self.region)
        options = GenerateOptions(**merged)
        chain = chain_from(options)
        self._seeds.append(options.seed)
        return self.add(chain)

    @property
    def calls(self) -> list[dict[str, Any]]:
        """The parameters of every ListJobs call made so far, in order (copies)."""
        return [dict(c) for c in self._calls]

    def calls_to(self, operation_name: str) -> list[dict[str, Any]]:
        """The parameters of every call of ``operation_name`` made so far, in order (copies).

        ``"GetJob"`` or ``"get_job"``; ``calls`` is ``calls_to("ListJobs")``.
        """
        operation = operation_of(operation_name)
        return [dict(params) for op, params in self._all_calls if op == operation]

    @property
    def chains(self) -> tuple[ListJobsChain, ...]:
        """Every chain queued so far, in order."""
        return tuple(self._chains)

    def assert_all_consumed(self) -> None:
        """Raise ``AssertionError`` listing each call still queued, if any."""
        pending = self.pending()
        if pending:
            raise AssertionError(pending_message(pending))

    def report(self) -> str:
        """The failure-report section: chains, calls made and pending, seeds."""
        m = _model.model()
        lines = [f"seed: {self.seed}" + (f" (generated with {self._seeds})" if self._seeds else "")]
        for number, chain in enumerate(self._chains):
            error = (
                f"{chain.error.code} (HTTP {chain.error.http_status}) at call {chain.error_at}"
                if chain.error
                else "none"
            )
            lines.append(
                f"chain {number}: app {chain.app_id}, branch {chain.branch_name}, "
                f"{len(chain.pages)} pages, {len(chain.jobs)} jobs, page_size {chain.page_size}, "
                f"max_results {chain.max_results}, error {error}"
            )
        if self._responses:
            lines.append(f"other responses queued: {self._responses}")
        lines.append(f"calls made ({len(self._all_calls)}):")
        for operation, params in self._all_calls:
            if operation != _model.OPERATION_NAME:
                lines.append(f"  {call_text(operation, params, 30)}")
                continue
            shown = ", ".join(
                f"{k}={short_repr(v, 30)}" for k, v in params.items() if k != m.input_token
            )
            token = params.get(m.input_token)
            if token is not None:
                shown += f", nextToken={short_repr(token, 30)}"
            lines.append(f"  {m.method_name}({shown})")
        pending = self.pending()
        lines.append(f"calls pending ({len(pending)}):")
        lines += [f"  {p}" for p in pending]
        return "\n".join(lines)


class AmplifyStub(AmplifyQueue):
    """What the ``list_jobs_stub`` fixture gives a test: queue chains, read the calls made.

    ``client`` and ``stubber`` are the very objects of the ``amplify_client`` and
    ``amplify_stubber`` fixtures. Works without pytest too: build it on any client and Stubber.

    >>> from botocore.stub import Stubber
    >>> from pytest_amplify_jobs._client import make_client
    >>> client = make_client()
    >>> with Stubber(client) as stubber:
    ...     stub = AmplifyStub(client, stubber, seed=7)
    ...     chain = stub.generate(jobs=30, page_size=10)
    ...     first = client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
    >>> len(first["jobSummaries"]), len(stub.calls), len(stub.pending())
    (10, 1, 2)
    """

    def __init__(
        self,
        client: BaseClient,
        stubber: Stubber,
        *,
        seed: int = 0,
        defaults: Mapping[str, Any] | None = None,
        region: str | None = None,
    ) -> None:
        from botocore.client import BaseClient as _Client

        from pytest_amplify_jobs._chain import check_stubber

        if not isinstance(client, _Client) or (
            client.meta.service_model.service_name != _model.SERVICE_NAME
        ):
            raise TypeError(
                f"client={short_repr(client)} must be a botocore client of Amplify "
                "(boto3.client('amplify'))"
            )
        check_stubber(stubber)
        if stubber.client is not client:
            raise ValueError(
                f"stubber={short_repr(stubber)} stubs another client than client="
                f"{short_repr(client)}; pass the Stubber of that very client"
            )
        super().__init__(
            seed=seed,
            defaults=defaults,
            region=region if region is not None else client.meta.region_name,
        )
        self.client = client
        self.stubber = stubber
        self._recorder_id = f"pytest-amplify-jobs-calls-{id(self)}"
        install_probe(client)
        event = event_name("provide-client-params", client)
        client.meta.events.register(event, self._record, unique_id=self._recorder_id)

    def close(self) -> None:
        """Stop recording calls on the client (the queue itself belongs to the Stubber)."""
        self.client.meta.events.unregister(
            event_name("provide-client-params", self.client), unique_id=self._recorder_id
        )

    def _queue(self, chain: ListJobsChain) -> None:
        chain.add_to(self.stubber)

    def _queue_response(
        self, operation: str, response: dict[str, Any], expectation: CallExpectation
    ) -> None:
        if "Error" not in response:
            _botocore.queue_trusted(
                self.stubber, operation, method_name(operation), response, expectation
            )
            return
        error = response["Error"]
        meta = {k: v for k, v in response["ResponseMetadata"].items() if k != "HTTPStatusCode"}
        extra = {k: v for k, v in error.items() if k not in ("Code", "Message")}
        modeled = {k: v for k, v in response.items() if k not in ("Error", "ResponseMetadata")}
        self.stubber.add_client_error(
            method_name(operation),
            service_error_code=error["Code"],
            service_message=error["Message"],
            http_status_code=response["ResponseMetadata"]["HTTPStatusCode"],
            service_error_meta=extra or None,
            expected_params=expectation,
            response_meta=meta,
            modeled_fields=modeled or None,
        )

    def pending(self) -> list[str]:
        return pending_calls(self.stubber)
