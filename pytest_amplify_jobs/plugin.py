"""The pytest11 entry point: options, marker, fixtures, header line and failure report.

Thin on purpose: every behaviour lives in plain modules that work without pytest. Nothing heavy
(botocore, Hypothesis) is imported until a fixture is used.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Generator
from typing import TYPE_CHECKING, Any, Protocol

import pytest

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.stub import Stubber

    from pytest_amplify_jobs._fake import AmplifyFake
    from pytest_amplify_jobs._intercept import AmplifyIntercept
    from pytest_amplify_jobs._stubbing import AmplifyStub

MARKER = "amplify_jobs"
_DEFAULT_REGION = "us-east-1"


class _Reporter(Protocol):
    def report(self) -> str: ...


_STUB_KEY: pytest.StashKey[_Reporter] = pytest.StashKey()
_STUBBER_KEY: pytest.StashKey[Stubber] = pytest.StashKey()
_FAILED_KEY = pytest.StashKey[bool]()
_OPTIONS_KEY = pytest.StashKey[dict[str, Any]]()
# Marker keys that are checks at teardown rather than generate options.
_CHECKS = ("assert_all_consumed", "assert_no_refused_calls")


# ------------------------------------------------------------------------------------ options


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("amplify-jobs", "AWS Amplify stubs and fakes (pytest-amplify-jobs)")
    group.addoption(
        "--amplify-region",
        dest="amplify_region",
        default=None,
        metavar="REGION",
        help=f"region of the amplify_client fixture (default: ini amplify_region, else {_DEFAULT_REGION})",
    )
    group.addoption(
        "--amplify-jobs-seed",
        dest="amplify_jobs_seed",
        default=0,
        type=int,
        metavar="N",
        help="shift every seed list_jobs_stub.generate() derives from test ids (default 0)",
    )
    parser.addini(
        "amplify_region",
        help=f"region of the amplify_client fixture (default {_DEFAULT_REGION})",
        default=_DEFAULT_REGION,
    )


def pytest_configure(config: pytest.Config) -> None:
    _region(config)  # a bad --amplify-region is a usage error before any test runs
    # The keys are not listed here: that would import the package at every pytest start. An
    # unknown key is an error that lists them (GenerateOptions is the one list).
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**kwargs): default keyword arguments for list_jobs_stub.generate() (any "
        "generate_chain keyword; model_complete=True reaches amplify_fake too) and the "
        "teardown checks assert_all_consumed=True, assert_no_refused_calls=True; the closest "
        "marker wins.",
    )


# Function-scoped fixtures holding queued calls or service state: inside @given every example
# would share one, so leftovers of one example fail the next and the shrunk example is blamed.
_PER_EXAMPLE = {
    "list_jobs_stub": "stub_list_jobs(chain)",
    "amplify_stub": "stub_list_jobs(chain)",
    "amplify_stubber": "stub_list_jobs(chain)",
    "amplify_intercept": "stub_list_jobs(chain)",
    "amplify_fake": "fake_amplify()",
}
_MISUSE_KEY = pytest.StashKey[str]()


def pytest_itemcollected(item: pytest.Item) -> None:
    """Find tests that request a per-test fixture inside ``@given`` (reported at setup)."""
    obj = getattr(item, "obj", None)
    names = [n for n in getattr(item, "fixturenames", ()) if n in _PER_EXAMPLE]
    if not names or obj is None:
        return
    # @given marks the test it wraps (hypothesis.is_hypothesis_test reads the same mark, but
    # only exists from Hypothesis 6.10x on, after our lower bound).
    if getattr(obj, "is_hypothesis_test", False):
        uses = ", ".join(dict.fromkeys(f"with {_PER_EXAMPLE[n]} as ...:" for n in names))
        item.stash[_MISUSE_KEY] = (
            f"{item.nodeid} is a Hypothesis test (@given) and requests "
            f"{', '.join(names)}: a fixture is set up once for all the examples, so calls "
            "left over by one example would fail the next and the shrunk example would be "
            f"blamed. Make one per example inside the test instead: {uses}"
        )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    message = item.stash.get(_MISUSE_KEY, None)
    if message is not None:
        pytest.fail(message, pytrace=False)


def pytest_report_header(config: pytest.Config) -> str:
    return (
        f"amplify-jobs: seed shift {config.getoption('amplify_jobs_seed')} "
        f"(--amplify-jobs-seed), region {_region(config)}"
    )


def _region(config: pytest.Config) -> str:
    """The region of ``--amplify-region`` (or ini ``amplify_region``), checked: a usage error
    names the option and the value instead of botocore's "Invalid endpoint" much later."""
    region: str | None = config.getoption("amplify_region")
    where = "--amplify-region"
    if region is None:
        region = str(config.getini("amplify_region") or _DEFAULT_REGION)
        where = "ini amplify_region"
    if region == _DEFAULT_REGION:
        return region  # no botocore import at pytest start for the default
    from pytest_amplify_jobs._model import is_region

    if not is_region(region):
        raise pytest.UsageError(
            f"{where}={region!r} is not a region name; expected one such as 'us-east-1' (one "
            "that botocore's partitions recognise)"
        )
    return region


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The closest ``amplify_jobs`` marker's keyword arguments, checked once per test."""
    node = request.node
    if _OPTIONS_KEY not in node.stash:
        node.stash[_OPTIONS_KEY] = _read_marker(node)
    return dict(node.stash[_OPTIONS_KEY])


def _read_marker(node: pytest.Item) -> dict[str, Any]:
    from pytest_amplify_jobs._options import GenerateOptions

    marker = node.get_closest_marker(MARKER)
    if marker is None:
        return {}
    if marker.args:
        pytest.fail(
            f"@pytest.mark.{MARKER} takes keyword arguments only, got positional {marker.args!r}",
            pytrace=False,
        )
    allowed = [*GenerateOptions.names(), *_CHECKS]
    unknown = sorted(set(marker.kwargs) - set(allowed))
    if unknown:
        pytest.fail(
            f"@pytest.mark.{MARKER} got unknown key(s) {', '.join(map(repr, unknown))} "
            f"on {node.nodeid}; allowed: {', '.join(allowed)}",
            pytrace=False,
        )
    from pytest_amplify_jobs._text import short_repr

    for name in _CHECKS:
        value = marker.kwargs.get(name, True)
        if not isinstance(value, bool):
            pytest.fail(
                f"@pytest.mark.{MARKER}({name}={short_repr(value)}) must be True or False",
                pytrace=False,
            )
    return dict(marker.kwargs)


# Each fixture that serves Amplify calls, and what it serves.
_MODES = {
    "amplify_stubber": "the Stubber on amplify_client (list_jobs_stub, amplify_stubber)",
    "amplify_intercept": "amplify_intercept, which serves ListJobs of every client from its queue",
    "amplify_fake": "amplify_fake, which serves every client from its store",
}


def _one_mode(request: pytest.FixtureRequest) -> None:
    """Fail at setup when a test uses two ways of serving: the innermost would serve every
    client and the other's queued calls would be reported unused, a misleading message."""
    used = [name for name in _MODES if name in request.fixturenames]
    if len(used) > 1:
        pytest.fail(
            f"{request.node.nodeid} uses {' and '.join(used)}: only one of them can serve a "
            f"call. While {used[-1]} is active, {_MODES[used[-1]]}; "
            f"{_MODES[used[0]]} would see no call. Use one per test.",
            pytrace=False,
        )


def _fail_on_pending(request: pytest.FixtureRequest, pending: list[str], consume: bool) -> None:
    """Fail the test at teardown when queued calls were never made (unless opted out with
    ``consume=False``, or the test already failed: one failure is enough to read)."""
    from pytest_amplify_jobs._text import pending_message

    if pending and consume and not request.node.stash.get(_FAILED_KEY, False):
        pytest.fail(pending_message(pending), pytrace=False)


@contextlib.contextmanager
def _refusals_checked(request: pytest.FixtureRequest) -> Generator[None, None, None]:
    """Fail the test at teardown when the plugin refused a call during it, even one the code
    under test swallowed (unless ``assert_no_refused_calls=False`` or the test failed)."""
    from pytest_amplify_jobs._routing import refusals
    from pytest_amplify_jobs._text import refused_message

    check = _options(request).get("assert_no_refused_calls", True)
    mark = refusals.mark()
    yield
    refused = refusals.since(mark)
    refusals.forget(mark)
    if refused and check and not request.node.stash.get(_FAILED_KEY, False):
        pytest.fail(refused_message([r.describe() for r in refused]), pytrace=False)


def node_seed(nodeid: str, shift: int) -> int:
    """A seed from the test's node id: the same on every run, machine and xdist worker."""
    digest = hashlib.sha256(nodeid.encode()).digest()
    return int.from_bytes(digest[:6], "big") + shift


# ----------------------------------------------------------------------------------- fixtures


@pytest.fixture
def amplify_client(request: pytest.FixtureRequest) -> BaseClient:
    """A botocore Amplify client with fake credentials; never reads ~/.aws or AWS_* variables,
    and never sends: a call that no Stubber or mode serves raises."""
    from pytest_amplify_jobs._routing import guarded_client

    _options(request)  # an unknown marker key is an error here too, not ignored
    # Guarded for its whole life: a call that no Stubber or mode serves raises, never sent.
    return guarded_client(_region(request.config))


@pytest.fixture
def amplify_stubber(
    request: pytest.FixtureRequest, amplify_client: BaseClient
) -> Generator[Stubber, None, None]:
    """A botocore ``Stubber`` on ``amplify_client``, active during the test.

    Deactivated at teardown even when the test failed; calls still queued then fail the test
    (unless ``@pytest.mark.amplify_jobs(assert_all_consumed=False)``).
    """
    from botocore.stub import Stubber

    from pytest_amplify_jobs._routing import Guard
    from pytest_amplify_jobs._stubbing import pending_calls

    _one_mode(request)
    consume = _options(request).get("assert_all_consumed", True)
    stubber = Stubber(amplify_client)
    request.node.stash[_STUBBER_KEY] = stubber
    with _refusals_checked(request), Guard("Stubber of amplify_stubber / list_jobs_stub"):
        stubber.activate()
        try:
            yield stubber
        finally:
            stubber.deactivate()
    _fail_on_pending(request, pending_calls(stubber), consume)


@pytest.fixture
def list_jobs_stub(
    request: pytest.FixtureRequest, amplify_client: BaseClient, amplify_stubber: Stubber
) -> Generator[AmplifyStub, None, None]:
    """Queue calls for the code under test on ``amplify_stubber``: ListJobs chains
    (``.generate(**kw)``, ``.add(chain)``), other job operations (``.add_response``,
    ``.add_client_error``, ``.add_job_progress``), ``.calls``; defaults from
    ``@pytest.mark.amplify_jobs``."""
    from pytest_amplify_jobs._stubbing import AmplifyStub

    options = _options(request)
    for name in _CHECKS:
        options.pop(name, None)
    stub = AmplifyStub(
        amplify_client,
        amplify_stubber,
        seed=node_seed(request.node.nodeid, request.config.getoption("amplify_jobs_seed")),
        defaults=options,
        region=_region(request.config),
    )
    request.node.stash[_STUB_KEY] = stub
    yield stub
    stub.close()


@pytest.fixture
def amplify_stub(list_jobs_stub: AmplifyStub) -> AmplifyStub:
    """``list_jobs_stub`` by the name of what it serves: every job operation, not only
    ListJobs (``.add_response``, ``.add_client_error``, ``.add_job_progress``). Same object."""
    return list_jobs_stub


@pytest.fixture
def amplify_intercept(request: pytest.FixtureRequest) -> Generator[AmplifyIntercept, None, None]:
    """Serve the ListJobs calls of *every* Amplify client in the process (boto3 clients made
    by the code under test, module-level clients, the AWS CLI), with the interface of
    ``list_jobs_stub``. Unqueued Amplify calls raise; nothing is ever sent."""
    from pytest_amplify_jobs._intercept import AmplifyIntercept

    _one_mode(request)
    options = _options(request)
    consume = options.pop("assert_all_consumed", True)
    options.pop("assert_no_refused_calls", None)
    intercept = AmplifyIntercept(
        seed=node_seed(request.node.nodeid, request.config.getoption("amplify_jobs_seed")),
        defaults=options,
        region=_region(request.config),
    )
    request.node.stash[_STUB_KEY] = intercept
    with _refusals_checked(request), intercept:
        yield intercept
    _fail_on_pending(request, intercept.pending(), consume)


@pytest.fixture
def amplify_fake(request: pytest.FixtureRequest) -> Generator[AmplifyFake, None, None]:
    """A stateful ListJobs service answering every Amplify client in the process on the wire:
    botocore's parser and retries run for real, any call order works. Seeded from the test id;
    ``@pytest.mark.amplify_jobs(model_complete=True)`` makes it answer model-complete."""
    from pytest_amplify_jobs._fake import AmplifyFake

    _one_mode(request)
    generated = {"list_jobs_stub", "amplify_stub", "amplify_intercept"}
    options = _options(request)
    # model_complete is the one generate option the fake itself has.
    pinned = sorted(set(options) - set(_CHECKS) - {"model_complete"})
    if pinned and not generated & set(request.fixturenames):
        pytest.fail(
            f"@pytest.mark.{MARKER}({', '.join(f'{k}=...' for k in pinned)}) sets defaults of "
            "generated chains (list_jobs_stub, amplify_intercept); amplify_fake does not read "
            "them. Pass them to amplify_fake.add_branch(...) (jobs, seed, statuses, newest, "
            "job_types), or keep only assert_no_refused_calls in the marker.",
            pytrace=False,
        )
    fake = AmplifyFake(
        seed=node_seed(request.node.nodeid, request.config.getoption("amplify_jobs_seed")),
        region=_region(request.config),
        model_complete=options.get("model_complete", False),
    )
    request.node.stash[_STUB_KEY] = fake
    with _refusals_checked(request), fake:
        yield fake


# ------------------------------------------------------------------------------------ reports


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    if report.when == "call" and report.failed:
        item.stash[_FAILED_KEY] = True
    if report.failed:
        reporter = item.stash.get(_STUB_KEY, None)
        if reporter is not None:
            report.sections.append(("amplify-jobs", reporter.report()))
        elif _STUBBER_KEY in item.stash:
            from pytest_amplify_jobs._stubbing import pending_calls

            pending = pending_calls(item.stash[_STUBBER_KEY])
            text = "\n".join([f"calls pending ({len(pending)}):", *(f"  {p}" for p in pending)])
            report.sections.append(("amplify-jobs", text))
    if report.when == "teardown":
        # The last report of the test has been made: release its stub, client, Stubber,
        # chains and request log now rather than when the session ends.
        _forget(item.stash, _STUB_KEY)
        _forget(item.stash, _STUBBER_KEY)
        _forget(item.stash, _OPTIONS_KEY)
    return report


def _forget(stash: pytest.Stash, key: pytest.StashKey[Any]) -> None:
    if key in stash:
        del stash[key]
