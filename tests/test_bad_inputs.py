"""Every public entry point answers every bad input clearly.

A table of entry points and parameters, each tried with wrong types, wrong values and out-of-
range numbers, plus unknown keywords. Each call must raise ``ValueError``, ``TypeError`` or
Hypothesis's ``InvalidArgument`` from the plugin's own checks, with a message that names the
parameter; never a ``KeyError``, ``AttributeError``, a botocore error or silence.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis.errors import InvalidArgument

from pytest_amplify_jobs import (
    AmplifyIntercept,
    ListJobsChain,
    ListJobsError,
    fake_amplify,
    generate_chain,
    strategies,
    stub_list_jobs,
)
from pytest_amplify_jobs._client import make_client

CLEAR = (ValueError, TypeError, InvalidArgument)


class Hostile:
    """Breaks whoever touches it carelessly."""

    def __repr__(self) -> str:
        raise RuntimeError("hostile repr")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("hostile eq")

    __hash__ = object.__hash__


WRONG = {
    "str": "x",
    "int": 5,
    "negative": -1,
    "huge": 10**9,
    "float": 1.5,
    "bool": True,
    "none": None,
    "list": [1],
    "dict": {"a": 1},
    "object": Hostile(),
}

# entry point -> (callable taking one keyword, {parameter: values that are wrong for it})
CHAIN = generate_chain(jobs=3, page_size=2)


def fake_method(name: str, **base: Any) -> Callable[..., Any]:
    def call(**kwargs: Any) -> Any:
        with fake_amplify() as fake:
            fake.add_branch("d1abc", "main", jobs=3, finished=True)
            job = fake.add_job("d1abc", "main")
            arguments = {**base, **kwargs}
            if name == "advance":
                arguments.setdefault("job", job)
            return getattr(fake, name)(**arguments)

    return call


def draw(factory: Callable[..., Any]) -> Callable[..., Any]:
    def call(**kwargs: Any) -> Any:
        strategy = factory(**kwargs)

        @settings(max_examples=1, database=None)
        @given(strategy)
        def once(_: Any) -> None:
            pass

        once()

    return call


def stub(**kwargs: Any) -> Any:
    arguments = {"chain": CHAIN, **kwargs}
    with stub_list_jobs(**arguments):
        pass


def chain(**kwargs: Any) -> Any:
    arguments = {"app_id": CHAIN.app_id, "branch_name": CHAIN.branch_name, "pages": CHAIN.pages}
    return ListJobsChain(**{**arguments, **kwargs})


def intercept(**kwargs: Any) -> Any:
    with AmplifyIntercept(**kwargs):
        pass


def queue_on_intercept(method: str, **base: Any) -> Callable[..., Any]:
    def call(**kwargs: Any) -> Any:
        with AmplifyIntercept() as target:
            getattr(target, method)(**{**base, **kwargs})

    return call


ENTRY_POINTS: dict[str, tuple[Callable[..., Any], dict[str, list[str]]]] = {
    "generate_chain": (
        generate_chain,
        {
            "jobs": ["str", "negative", "huge", "float", "bool", "none", "object"],
            "page_size": ["str", "negative", "huge", "float", "bool", "object"],
            "max_results": ["str", "negative", "huge", "float", "bool", "object"],
            "error": ["str", "int", "list", "object"],
            "error_at": ["str", "negative", "float", "bool", "object"],
            "app_id": ["str", "int", "list", "object"],
            "branch_name": ["int", "list", "object"],
            "seed": ["str", "float", "bool", "none", "object"],
            "realistic": ["str", "int", "none", "object"],
            "region": ["str", "int", "list", "object"],
            "calls": ["str", "negative", "float", "bool", "object"],
            "statuses": ["str", "int", "list", "dict", "object"],
            "newest": ["str", "int", "list", "dict", "object"],
            "job_types": ["str", "int", "list", "dict", "object"],
            "model_complete": ["str", "int", "none", "object"],
        },
    ),
    "ListJobsChain": (
        chain,
        {
            "app_id": ["int", "none", "object"],
            "branch_name": ["int", "none", "object"],
            "pages": ["str", "int", "none", "dict", "object"],
            "error": ["str", "int", "object"],
            "region": ["int", "none", "object"],
        },
    ),
    "ListJobsError": (
        lambda **kw: ListJobsError(
            **{"code": "BadRequestException", "http_status": 400, "message": "m", **kw}
        ),
        {
            "code": ["str", "int", "none", "object"],
            "http_status": ["str", "int", "negative", "huge", "bool", "none", "object"],
            "message": ["int", "none", "object"],
        },
    ),
    "ListJobsError.of": (
        lambda **kw: ListJobsError.of(**{"code": "BadRequestException", **kw}),
        {"code": ["str", "int", "none", "list", "object"], "message": ["int", "list", "object"]},
    ),
    "stub_list_jobs": (
        stub,
        {
            "chain": ["str", "int", "none", "dict", "object"],
            "client": ["str", "int", "object"],
            "intercept": ["str", "int", "none", "object"],
            "assert_all_consumed": ["str", "int", "none", "object"],
            "assert_no_refused_calls": ["str", "int", "none", "object"],
            "calls": ["str", "negative", "float", "bool", "object"],
        },
    ),
    "AmplifyIntercept": (
        intercept,
        {
            "seed": ["str", "float", "bool", "none", "object"],
            "defaults": ["str", "int", "list", "object"],
            "region": ["str", "int", "none", "object"],
        },
    ),
    "fake_amplify": (
        lambda **kw: fake_amplify(**kw),
        {
            "seed": ["str", "float", "bool", "none", "object"],
            "keep_retry_delays": ["str", "int", "none", "object"],
            "region": ["str", "int", "none", "object"],
        },
    ),
    "fake.add_branch": (
        fake_method("add_branch", app_id="d1new", branch_name="dev"),
        {
            "app_id": ["str", "int", "list", "object"],
            "branch_name": ["int", "list", "object"],
            "jobs": ["str", "negative", "huge", "float", "bool", "dict", "list", "object"],
            "seed": ["str", "float", "bool", "object"],
            "finished": ["str", "int", "object"],
            "statuses": ["str", "int", "list", "object"],
            "newest": ["str", "int", "list", "object"],
            "job_types": ["str", "int", "list", "object"],
        },
    ),
    "fake.fail": (
        fake_method("fail", code="LimitExceededException"),
        {
            "code": ["str", "int", "none", "list", "object"],
            "times": ["str", "negative", "float", "bool", "none", "object"],
            "after_calls": ["str", "negative", "float", "bool", "none", "object"],
            "operation": ["str", "int", "list", "object"],
            "app_id": ["str", "int", "object"],
            "branch_name": ["int", "object"],
        },
    ),
    "fake.add_job": (
        fake_method("add_job", app_id="d1abc", branch_name="main"),
        {
            "app_id": ["str", "int", "none", "object"],
            "branch_name": ["int", "none", "object"],
            "status": ["str", "int", "none", "object"],
            "job_type": ["str", "int", "object"],
            "commit_message": ["int", "list", "object"],
        },
    ),
    "fake.advance": (
        fake_method("advance", status="RUNNING"),
        {
            "job": ["str", "int", "none", "dict", "list", "object"],
            "status": ["str", "int", "none", "object"],
            "after_calls": ["str", "negative", "float", "bool", "none", "object"],
        },
    ),
    "fake.history": (
        fake_method("history", app_id="d1abc", branch_name="main"),
        {"app_id": ["str", "int", "none", "object"], "branch_name": ["int", "none", "object"]},
    ),
    "fake.add_app": (
        fake_method("add_app"),
        {"app_id": ["str", "int", "list", "object"], "seed": ["str", "float", "bool", "object"]},
    ),
    "fake.auto_advance": (
        fake_method("auto_advance"),
        {"to": ["str", "int", "list", "object"]},
    ),
    "intercept.add": (
        queue_on_intercept("add"),
        {"chain": ["str", "int", "none", "dict", "object"]},
    ),
    "intercept.generate": (
        queue_on_intercept("generate"),
        {"jobs": ["str", "negative", "huge", "object"], "seed": ["str", "object"]},
    ),
    "intercept.add_response": (
        queue_on_intercept("add_response", operation_name="GetApp"),
        {
            "operation_name": ["str", "int", "none", "object"],
            "service_response": ["str", "int", "list", "dict", "object"],
            "expected_params": ["str", "int", "list", "object"],
        },
    ),
    "intercept.add_client_error": (
        queue_on_intercept(
            "add_client_error", operation_name="GetApp", service_error_code="NotFoundException"
        ),
        {
            "operation_name": ["str", "int", "none", "object"],
            "service_error_code": ["str", "int", "object"],
            "http_status_code": ["str", "negative", "huge", "bool", "object"],
        },
    ),
}
for name in strategies.__all__:
    factory = getattr(strategies, name)
    parameters = inspect.signature(factory).parameters
    table: dict[str, list[str]] = {}
    for parameter in parameters.values():
        annotation = str(parameter.annotation)
        if annotation == "bool":
            table[parameter.name] = ["str", "int", "none", "object"]
        elif "int" in annotation and "Iterable" not in annotation:
            table[parameter.name] = ["str", "negative", "huge", "float", "bool", "object"]
        elif "Iterable" in annotation:
            table[parameter.name] = ["str", "int", "list", "object"]
        elif "str" in annotation:
            table[parameter.name] = ["int", "list", "object"]
        elif "Mapping" in annotation or "ListJobsChain" in annotation:
            table[parameter.name] = ["str", "int", "object"]
    required = {
        p.name: "GetApp" for p in parameters.values() if p.default is inspect.Parameter.empty
    }
    ENTRY_POINTS[f"strategies.{name}"] = (draw(functools.partial(factory, **required)), table)

CASES = [
    pytest.param(entry, parameter, kind, id=f"{entry}-{parameter}-{kind}")
    for entry, (_call, table) in ENTRY_POINTS.items()
    for parameter, kinds in table.items()
    for kind in kinds
]


def _accepted(entry: str, parameter: str, kind: str) -> bool:
    """Values that are right for the parameter after all (a string where any string goes)."""
    right = {
        ("generate_chain", "branch_name", "str"),
        ("fake.add_branch", "branch_name", "str"),
        ("fake.fail", "branch_name", "str"),
        ("fake.add_job", "branch_name", "str"),
        ("fake.history", "branch_name", "str"),
        ("fake.add_job", "commit_message", "str"),
        ("ListJobsChain", "app_id", "str"),
        ("ListJobsChain", "branch_name", "str"),
        ("ListJobsError", "message", "str"),
        ("ListJobsError.of", "message", "str"),
        ("generate_chain", "jobs", "int"),
    }
    return (entry, parameter, kind) in right


@pytest.mark.parametrize(("entry", "parameter", "kind"), CASES)
def test_bad_input_is_answered_clearly(entry: str, parameter: str, kind: str) -> None:
    call, _table = ENTRY_POINTS[entry]
    value = WRONG[kind]
    try:
        call(**{parameter: value})
    except CLEAR as error:
        message = str(error)
        assert parameter in message or parameter.replace("_", " ") in message, (
            f"{entry}({parameter}={kind}): the message does not name the parameter: {message}"
        )
        assert "hostile" not in message
        return
    except Exception as error:  # pragma: no cover - the failure message is the point
        pytest.fail(f"{entry}({parameter}={kind}) raised {type(error).__name__}: {error}")
    if not _accepted(entry, parameter, kind):
        pytest.fail(f"{entry}({parameter}={kind}) was accepted silently")


@pytest.mark.parametrize(
    "entry",
    [e for e in ENTRY_POINTS if not e.startswith("ListJobsError") and e != "ListJobsChain"],
)
def test_unknown_keywords_are_named(entry: str) -> None:
    call, _table = ENTRY_POINTS[entry]
    with pytest.raises(CLEAR) as info:
        call(bogus_keyword=1)
    assert "bogus_keyword" in str(info.value)


def test_the_audit_covers_every_entry_point() -> None:
    assert len(CASES) >= 300, len(CASES)
    assert make_client()  # the plugin's own client needs no input


# ------------------------------------------------ the last unclear inputs (issue 26's audit)


@pytest.mark.parametrize("region", ["", "us east 1", "../../x"])
def test_a_hand_built_chain_names_a_bad_region(region: str) -> None:
    with pytest.raises(ValueError, match=rf"region={region!r} must be a region name"):
        ListJobsChain(
            app_id=CHAIN.app_id, branch_name=CHAIN.branch_name, pages=CHAIN.pages, region=region
        )


def test_add_to_takes_only_a_stubber_of_an_amplify_client() -> None:
    import botocore.session
    from botocore.stub import Stubber

    with pytest.raises(TypeError, match=r"stubber='not a stubber' must be a botocore.stub.Stubber"):
        CHAIN.add_to("not a stubber")  # type: ignore[arg-type]
    s3 = botocore.session.get_session().create_client(
        "s3", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    with pytest.raises(ValueError, match=r"stubs a 's3' client; ListJobs pages need a Stubber"):
        CHAIN.add_to(Stubber(s3))


def test_list_jobs_stub_checks_its_client_and_stubber() -> None:
    from botocore.stub import Stubber

    from pytest_amplify_jobs import AmplifyStub

    client = make_client()
    with pytest.raises(TypeError, match=r"client='x' must be a botocore client of Amplify"):
        AmplifyStub(client="x", stubber=Stubber(client))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"stubber='x' must be a botocore.stub.Stubber"):
        AmplifyStub(client=client, stubber="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="stubs another client"):
        AmplifyStub(client=client, stubber=Stubber(make_client()))


def test_the_repr_of_a_chain_with_a_page_that_is_no_page() -> None:
    chain = ListJobsChain(app_id=CHAIN.app_id, branch_name=CHAIN.branch_name, pages=["x"])  # type: ignore[list-item]
    assert "'x'" in repr(chain)
    assert chain.violations()  # and it is refused as data


@pytest.mark.parametrize("errors", [None, "BadRequestException", 3])
def test_list_jobs_chains_errors_needs_a_bool_or_codes(errors: object) -> None:
    with pytest.raises(InvalidArgument, match=r"errors=.* must be True, False, or a collection"):
        draw(strategies.list_jobs_chains)(errors=errors)


@pytest.mark.parametrize("value", ["", "us east 1", "../../x"])
@pytest.mark.parametrize("where", ["option", "ini"])
def test_a_bad_amplify_region_is_a_usage_error(
    pytester: pytest.Pytester, value: str, where: str
) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    if where == "ini":
        pytester.makeini(f"[pytest]\namplify_region = {value}\n")
        args: list[str] = []
        name = "ini amplify_region"
    else:
        args = [f"--amplify-region={value}"]
        name = "--amplify-region"
    result = pytester.runpytest(*args)
    if where == "ini" and value == "":
        result.assert_outcomes(passed=1)  # an empty ini value is no value: the default
        return
    result.stderr.fnmatch_lines([f"ERROR: {name}={value!r} is not a region name*"])
    assert result.ret == pytest.ExitCode.USAGE_ERROR
