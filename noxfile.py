"""Release checks: the built artifacts, every supported Python, and the dependencies' lower bounds.

``nox -l`` lists the sessions; ``nox`` runs them all (the check before a release); CONTRIBUTING.md
says which ones ``.ci/run`` runs. Every session gets a fresh virtual environment (uv's when uv is
installed, else venv's), so nothing in it comes from the checkout's own environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import nox
from packaging.requirements import Requirement

nox.needs_version = ">=2025.10.14"
nox.options.default_venv_backend = "uv|venv"
# A missing interpreter is for the developer to install, never for nox to download.
nox.options.download_python = "never"
nox.options.error_on_external_run = True
# pip compiles bytecode as it installs, uv does not: without it, and with PYTHONDONTWRITEBYTECODE
# set, every pytester subprocess compiles botocore anew, which doubles the suite's time and trips
# Hypothesis deadlines.
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")

ROOT = Path(__file__).resolve().parent
DIST = ROOT / "dist"
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
PYTHONS: list[str] = nox.project.python_versions(PYPROJECT)  # from the classifiers
OLDEST, NEWEST = PYTHONS[0], PYTHONS[-1]

# Random order is the main suite's job (.ci/run); here a failure must replay as it happened.
PYTEST_ARGS = ("-p", "no:randomly", "-q")
# The release sessions run the suite again: on both cores, without the tests marked slow (the
# aws CLI, mypy, xdist and memory runs, whose subject is the machine's tools or the main
# environment, not the built package or its lower bounds), and with the `release` Hypothesis
# profile (10 examples a test: they check the package and the bounds, the main suite searches;
# tests/conftest.py), to keep .ci/run short. `nox -s sdist -- -m "" --hypothesis-profile=ci`
# runs everything.
RELEASE_RUN = ("-n", "2", "-m", "not slow", "--hypothesis-profile=release")

# Installed by the test extra for developers, but not needed to run the suite: left out of the
# lower-bounds environment.
NOT_NEEDED_BY_PYTEST = frozenset(
    {
        "ruff",
        "coverage",
        "nox",
        "uv",
        # The documentation site builds in .ci/run's main environment, not at lower bounds.
        "mkdocs",
        "mkdocs-material",
        "mkdocstrings",
        "mkdocstrings-python",
    }
)

# In the checkout but deliberately not in the sdist.
NOT_SHIPPED = (".ci/", ".git")


def _let_pyenv_find_every_python() -> None:
    # pyenv's shims answer only for the selected versions: `python3.10` fails while 3.11 alone is
    # selected (and a shim that started nox selects just its own version, in PYENV_VERSION).
    # Select every installed version of a supported Python after those already selected, so that
    # nox finds them all and `python` stays what it was.
    if shutil.which("pyenv") is None:
        return

    def pyenv(*args: str) -> list[str]:
        done = subprocess.run(["pyenv", *args], capture_output=True, text=True, check=False)
        return done.stdout.split() if done.returncode == 0 else []

    selected = os.environ.get("PYENV_VERSION") or ":".join(pyenv("version-name"))
    installed = pyenv("versions", "--bare", "--skip-aliases", "--skip-envs")
    wanted = [v for v in installed if any(v.startswith(f"{minor}.") for minor in PYTHONS)]
    if selected and wanted:
        os.environ["PYENV_VERSION"] = ":".join(dict.fromkeys([*selected.split(":"), *wanted]))


_let_pyenv_find_every_python()


def install_project(session: nox.Session, *extras: str, source: Path = ROOT) -> None:
    """Install the project (not editable) from ``source`` with ``extras`` into the session.

    ``install_project(session, "test")`` is what a session that runs the suite needs; a session
    testing an optional integration adds its extra: ``install_project(session, "test", "async")``.
    """
    session.install(f"{source}[{','.join(extras)}]" if extras else str(source))


def run_suite(session: nox.Session, *args: str) -> None:
    """Run pytest in the current directory with ``args``, then the arguments after nox's ``--``.

    The pyproject.toml there configures it: the project's adds ``--disable-socket``.
    """
    session.run("python", "-m", "pytest", *PYTEST_ARGS, *args, *session.posargs)


def _built(pattern: str) -> Path:
    found = sorted(DIST.glob(pattern))
    if len(found) != 1:
        raise RuntimeError(f"expected one {pattern} in {DIST}, found {[p.name for p in found]}")
    return found[0]


def _fresh_dir(session: nox.Session, name: str) -> Path:
    path = Path(session.create_tmp()).resolve() / name
    shutil.rmtree(path, ignore_errors=True)
    return path


def _check_sdist_contents(session: nox.Session, sdist: Path) -> None:
    # Every file git tracks must be in the sdist, except NOT_SHIPPED; nothing of NOT_SHIPPED may be.
    with tarfile.open(sdist) as tar:
        shipped = {name.partition("/")[2] for name in tar.getnames()}
    leaked = sorted(name for name in shipped if name.startswith(NOT_SHIPPED))
    if leaked:
        session.error(f"the sdist ships what it must not: {leaked}")
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        session.log("not a git checkout: the sdist's contents are not compared with git's files")
        return
    listed = subprocess.run(
        ["git", "ls-files", "--cached"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    missing = sorted(
        name
        for name in listed
        if (ROOT / name).is_file() and not name.startswith(NOT_SHIPPED) and name not in shipped
    )
    if missing:
        session.error(f"the sdist lacks tracked files (see MANIFEST.in): {missing}")
    session.log(f"{sdist.name}: {len(shipped)} entries, every tracked file but {NOT_SHIPPED}")


@nox.session
def build(session: nox.Session) -> None:
    """Build the sdist and wheel into dist/ and check them: twine --strict, check-wheel-contents."""
    session.install("build[uv]" if session.venv_backend == "uv" else "build")
    session.install("twine", "check-wheel-contents")
    shutil.rmtree(DIST, ignore_errors=True)
    installer = ("--installer=uv",) if session.venv_backend == "uv" else ()
    # Silent unless it fails: setuptools lists every file it copies.
    session.run("python", "-m", "build", *installer, "--outdir", str(DIST), str(ROOT), silent=True)
    sdist, wheel = _built("*.tar.gz"), _built("*.whl")
    session.run("twine", "check", "--strict", str(sdist), str(wheel))
    session.run("check-wheel-contents", str(wheel))
    _check_sdist_contents(session, sdist)


@nox.session(requires=["build"])
def wheel(session: nox.Session) -> None:
    """Install the built wheel alone (no extras) and run a copy of examples/ against it."""
    session.install(str(_built("*.whl")))
    session.run("amplify-jobs", "--help", silent=True)  # the console script is installed
    # A copy away from the checkout, so that only the installed package can be imported.
    work = _fresh_dir(session, "examples")
    shutil.copytree(
        ROOT / "examples", work, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache")
    )
    # nox keeps the working directory from one session to the next: always chdir with `with`.
    with session.chdir(work):
        session.run(
            "python",
            "-c",
            "import pathlib, pytest_amplify_jobs as p; f = pathlib.Path(p.__file__); "
            "assert 'site-packages' in f.parts, f; print('imported from', f.parent)",
        )
        run_suite(session)


@nox.session(python=NEWEST, requires=["build"])
def sdist(session: nox.Session) -> None:
    """Unpack the built sdist, install it with the test extra, run the suite in it (newest Python)."""
    sdist = _built("*.tar.gz")
    unpacked = _fresh_dir(session, "sdist")
    with tarfile.open(sdist) as tar:
        # The "data" filter refuses links and paths that leave the directory.
        tar.extractall(unpacked, filter="data")
    (top,) = unpacked.iterdir()
    install_project(session, "test", source=top)
    with session.chdir(top):
        run_suite(session, *RELEASE_RUN)


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The suite from the checkout with the newest dependencies, one session per Python."""
    install_project(session, "test")
    run_suite(session)


def suite_requirements(*, without: frozenset[str] = frozenset()) -> list[str]:
    """The project's dependencies and the test extra's requirements that running pytest needs
    (the test extra without NOT_NEEDED_BY_PYTEST: linters, the docs site, nox itself), and
    without ``without``."""
    project = PYPROJECT["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    skipped = NOT_NEEDED_BY_PYTEST | without
    return [text for text in wanted if Requirement(text).name not in skipped]


# The async sessions' tests do not run mypy (the typing tests are the main suite's).
NOT_NEEDED_BY_ASYNC_TESTS = frozenset({"mypy"})


def lower_bounds() -> list[str]:
    """Pins at the lower bound of each dependency and of each test requirement pytest needs.

    A bound of three parts is pinned as it is (``botocore==1.35.84``); a bound of two parts names
    a release series and is pinned to it (``pytest>=7.4`` → ``pytest==7.4.*``).
    """
    pins = []
    for text in suite_requirements():
        requirement = Requirement(text)
        bounds = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        if len(bounds) != 1:
            raise ValueError(f"{text!r} in pyproject.toml needs one '>=' lower bound to test at")
        (bound,) = bounds
        extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
        pin = f"=={bound}.*" if bound.count(".") == 1 else f"=={bound}"
        pins.append(f"{requirement.name}{extras}{pin}")
    return pins


@nox.session(python=OLDEST)
def lowest(session: nox.Session) -> None:
    """The suite at the declared lower bounds of every dependency, on the oldest Python."""
    pins = Path(session.create_tmp()) / "lower-bounds.txt"
    pins.write_text("\n".join(lower_bounds()) + "\n")
    session.log("lower bounds:\n" + pins.read_text())
    session.install("-r", str(pins), str(ROOT))
    run_suite(session, *RELEASE_RUN)


# aiobotocore pins its own botocore, so async clients are tested in environments of their own.
# What is about async clients alone (async_aioboto3 runs these) ...
ASYNC_ONLY = (
    "tests/test_async.py",
    # docs/async.md's example, as a reader runs it.
    "tests/test_docs.py::test_async_example",
    "tests/test_server_hardening.py::test_an_aiobotocore_gather_of_16_calls_loses_no_update",
)
# ... and, in `async`, every mode's sync tests beside aiobotocore's botocore pin.
ASYNC_TESTS = (
    *ASYNC_ONLY,
    "tests/test_guard.py",
    "tests/test_fake.py",
    "tests/test_intercept.py",
    "tests/test_stubbing.py",
)
# asyncio's event loop needs a Unix socket pair; every inet socket stays disabled.
ASYNC_ARGS = (
    "--allow-unix-socket",
    "-o",
    "asyncio_default_fixture_loop_scope=function",
    # On both cores, like the release sessions.
    "-n",
    "2",
)
ASYNC_TOOLS = ("pytest-asyncio", "anyio", "types-aiobotocore-amplify")


@nox.session(name="async")
def async_newest(session: nox.Session) -> None:
    """Async clients with the newest aiobotocore, beside the sync tests of every mode."""
    # What the suite needs, not the whole test extra: the docs site and the linters are checked
    # in the main environment.
    session.install(*suite_requirements(without=NOT_NEEDED_BY_ASYNC_TESTS), f"{ROOT}[async]")
    # httpx2: aiobotocore 3.x's anyio backend, whose retry sleeps the fake zeroes too.
    session.install(*ASYNC_TOOLS, "httpx2")
    session.run("python", "-c", "import aiobotocore; print('aiobotocore', aiobotocore.__version__)")
    session.run("python", "-m", "pytest", *PYTEST_ARGS, *ASYNC_ARGS, *ASYNC_TESTS, *session.posargs)


@nox.session(name="async_aioboto3")
def async_aioboto3(session: nox.Session) -> None:
    """Async clients with aioboto3 and the aiobotocore its newest release pins."""
    session.install(*suite_requirements(without=NOT_NEEDED_BY_ASYNC_TESTS), f"{ROOT}[async]")
    session.install("aioboto3", *ASYNC_TOOLS)
    session.run("python", "-c", "import aiobotocore; print('aiobotocore', aiobotocore.__version__)")
    # The async tests only: `async` runs the sync modes' tests beside aiobotocore's botocore pin.
    session.run("python", "-m", "pytest", *PYTEST_ARGS, *ASYNC_ARGS, *ASYNC_ONLY, *session.posargs)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Every row of benchmarks/run.py, moto's included (the bench extra); not run by default.

    About 15 minutes on 2 cores; arguments after ``--`` go to run.py: ``nox -s bench -- --only
    B9,B12``.
    """
    install_project(session, "test", "bench")
    session.run("python", str(ROOT / "benchmarks" / "run.py"), *session.posargs)
