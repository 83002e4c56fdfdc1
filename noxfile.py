"""Developer sessions: ``nox -s tests lint typecheck bench docs``."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True
nox.options.default_venv_backend = "venv"

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the test suite (the emulator serves every HTTP call; no AWS account needed)."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
@nox.parametrize("extra", ["none", "otio"])
def extras(session: nox.Session, extra: str) -> None:
    """Run the suite with and without each optional extra: what needs a missing package skips or says so."""
    # The test tools without the optional packages they would otherwise pull in (OpenTimelineIO).
    session.install("-e", "." if extra == "none" else f".[{extra}]")
    session.install("pytest>=7.4", "hypothesis>=6.90", "webvtt-py>=0.5", "pycmx>=1.2", "moto[server]>=5.0")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Run ruff's linter and formatter check."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Run mypy --strict over the package, the never-executed API usage file in tests/typing/ and the benchmarks."""
    session.install("-e", ".[test,lint]")
    session.run("mypy", "--strict", "rekseg", "tests/typing", "benchmarks")


@nox.session
def bench(session: nox.Session) -> None:
    """Run every benchmark in benchmarks/ and print its report (ratios against a baseline in the same run)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "benchmarks", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site in strict mode."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict", "--site-dir", "site")
