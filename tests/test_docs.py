"""Every ```python block of README.md and docs/**/*.md runs as written and passes ``mypy --strict``.

A page's blocks run in order in one namespace, against the emulator (``AWS_ENDPOINT_URL_REKOGNITION``, as the
quickstart documents), with every ``s3://`` video the page names registered on it; pages whose code talks to
SNS, SQS or DynamoDB also get moto's server (``AWS_ENDPOINT_URL_SNS`` and friends). New pages are picked up
automatically.

Values shown in comments are checked: a top-level bare expression with a trailing comment claims a value, so the
comment must start with the value's ``repr`` (``...`` stands for any text inside it), or with the exception's
name when the expression raises (``Timecode.parse("00:01:00;00", ntsc)  # TimecodeError: ...``). A call that
returns ``None`` may carry a remark instead.
"""

from __future__ import annotations

import ast
import io
import logging
import os
import re
import subprocess
import sys
import tokenize
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from rekseg.testing import Emulator, SyntheticVideo

ROOT = Path(__file__).resolve().parent.parent
_FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)[ \t]*$")
_S3_URI = re.compile(r"s3://[A-Za-z0-9._-]+/[^\s\"'`)<>\]]+")
_NEEDS_MOTO = re.compile(r"(?i)\b(sns|sqs|dynamodb)")
_CUT = re.compile(r"[ ,:;]")


@attrs.frozen
class Block:
    """One fenced ```python block: its code (dedented) and the page line its first code line is on."""

    code: str
    line: int


def python_blocks(text: str) -> list[Block]:
    """Return the ```python blocks of a Markdown text, in order (fences inside admonitions included)."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if fence is None:
            i += 1
            continue
        indent = fence["indent"]
        end = i + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        if fence["lang"] == "python":
            body = [line[len(indent) :] if line.startswith(indent) else line.lstrip() for line in lines[i + 1 : end]]
            # A block that only includes a file (`--8<-- "examples/x.py"`) shows an example that its own test runs.
            if not all(line.startswith("--8<--") or not line.strip() for line in body):
                blocks.append(Block("\n".join(body) + "\n", i + 2))
        i = end + 1
    return blocks


def pages() -> list[Path]:
    """README.md and every docs/**/*.md page that holds at least one ```python block."""
    candidates = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return [p for p in candidates if python_blocks(p.read_text(encoding="utf-8"))]


def _name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def _comments(code: str) -> dict[int, str]:
    """Map each line of ``code`` to the text of its trailing comment."""
    found: dict[int, str] = {}
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.COMMENT:
            found[tok.start[0]] = tok.string[1:].strip()
    return found


def _pattern(claim: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in claim.split("...")), re.DOTALL)


def claim_holds(comment: str, shown: str) -> bool:
    """Whether a comment starts with ``shown`` (a repr or an exception name), ``...`` matching any text.

    The claim ends at the end of the comment or before a space, comma, colon or semicolon, so
    ``# 697, inclusive`` claims ``697`` and ``# Timecode('00:00:29:01', ...) the last frame`` claims the
    Timecode's repr.
    """
    cuts = [m.start() for m in _CUT.finditer(comment)] + [len(comment)]
    return any(_pattern(comment[:cut]).fullmatch(shown) for cut in cuts if cut)


def check_claim(expr: ast.expr, comment: str, namespace: dict[str, Any], where: str) -> None:
    """Evaluate a bare expression and check the value (or exception) its comment shows."""
    code = compile(ast.Expression(expr), where, "eval")
    try:
        value = eval(code, namespace)
    except Exception as exc:
        name = type(exc).__name__
        if not claim_holds(comment, name):
            raise AssertionError(f"{where}: raised {name}: {exc}, but the comment says {comment!r}") from exc
        return
    if value is None and isinstance(expr, ast.Call) and not comment.startswith("None"):
        return  # a call for its effect, with a remark
    if not claim_holds(comment, repr(value)):
        shown = repr(value)
        shown = shown if len(shown) <= 200 else shown[:200] + "..."
        raise AssertionError(f"{where}: the value is {shown}, but the comment says {comment!r}")


def run_block(block: Block, namespace: dict[str, Any], page: str) -> None:
    """Run one block's top-level statements in ``namespace``, checking the values shown in comments."""
    tree = ast.parse(block.code)
    ast.increment_lineno(tree, block.line - 1)
    comments = {line + block.line - 1: text for line, text in _comments(block.code).items()}
    for stmt in tree.body:
        where = f"{page}:{stmt.lineno}"
        end = stmt.end_lineno or stmt.lineno
        if isinstance(stmt, ast.Expr) and end in comments:
            check_claim(stmt.value, comments[end], namespace, where)
        else:
            exec(compile(ast.Module([stmt], type_ignores=[]), page, "exec"), namespace)


# -- the harness checks itself ---------------------------------------------------------------------------------


def test_blocks_are_found_in_order_with_admonitions_and_other_languages_left_out() -> None:
    """Only python fences are blocks, dedented out of admonitions, with the page line of their first line."""
    text = "# T\n\n```python\na = 1\n```\n\n```console\n$ x\n```\n\n!!! note\n    ```python\n    b = a + 1\n    ```\n"
    assert python_blocks(text) == [Block("a = 1\n", 4), Block("b = a + 1\n", 13)]


def test_a_wrong_value_in_a_comment_fails() -> None:
    """A comment showing another value than the expression's fails; the right one, with a remark, passes."""
    run_block(Block("x = 697\nx  # 697, inclusive\n", 1), {}, "page.md")
    with pytest.raises(AssertionError, match="the value is 697"):
        run_block(Block("x = 697\nx  # 698, inclusive\n", 1), {}, "page.md")


def test_an_exception_must_be_the_one_the_comment_names() -> None:
    """A bare expression that raises passes only when its comment names that exception."""
    run_block(Block("int('x')  # ValueError: not a number\n", 1), {}, "page.md")
    with pytest.raises(AssertionError, match="raised ValueError"):
        run_block(Block("int('x')  # KeyError\n", 1), {}, "page.md")


def test_ellipsis_stands_for_any_text_inside_a_repr() -> None:
    """``...`` in a shown repr matches any text, and the claim ends before a trailing remark."""
    assert claim_holds("Timecode('00:00:29:01', ...) the last frame", "Timecode('00:00:29:01', frame=697, rate=24)")
    assert not claim_holds("Timecode('00:00:29:02', ...) the last frame", "Timecode('00:00:29:01', frame=697)")
    assert not claim_holds("60 frames", "6")


@pytest.mark.parametrize(
    "page", [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))], ids=lambda p: str(p.relative_to(ROOT))
)
def test_every_fence_is_alone_on_its_line_and_closed(page: Path) -> None:
    """A fence line holds only the fence and its language, and fences pair up (else the page renders as code)."""
    fences = []
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("```"):
            assert _FENCE.match(line), f"{page.name}:{number}: text beside a fence: {line!r}"
            fences.append(number)
    assert len(fences) % 2 == 0, f"{page.name}: a fence is never closed (fences at lines {fences})"


def test_every_page_with_python_is_collected() -> None:
    """The README and the guides are among the pages run; a page without python blocks is not."""
    names = {_name(p) for p in pages()}
    assert {"README.md", "docs/quickstart.md", "docs/timecodes.md", "docs/waiting.md"} <= names
    assert "docs/reference/client.md" not in names


# -- running the pages ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    """Moto's server, started once for the pages that talk to SNS, SQS or DynamoDB."""
    moto_server = pytest.importorskip("moto.server")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """Put logging back as it was: pages turn loggers up (botocore to DEBUG) and call basicConfig()."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {
        name: logger.level
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, logger in logging.Logger.manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            logger.setLevel(levels.get(name, logging.NOTSET))


def _aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.mark.usefixtures("restored_logging")
@pytest.mark.parametrize("page", pages(), ids=_name)
def test_page_runs_as_written(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """The page's python blocks run in order in one namespace against the emulator, values in comments hold."""
    text = page.read_text(encoding="utf-8")
    blocks = python_blocks(text)
    _aws_env(monkeypatch, tmp_path)
    sns_url = None
    if any(_NEEDS_MOTO.search(b.code) for b in blocks):
        sns_url = request.getfixturevalue("moto_url")
        for service in ("SNS", "SQS", "DYNAMODB", "IAM", "STS"):
            monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service}", sns_url)
    monkeypatch.chdir(tmp_path)
    with Emulator(polls_to_complete=0, sns_endpoint_url=sns_url) as emulator:
        for i, uri in enumerate(sorted(set(_S3_URI.findall(text)))):
            emulator.add_video(uri, SyntheticVideo(duration=300, shots=40, seed=i))
        monkeypatch.setenv("AWS_ENDPOINT_URL_REKOGNITION", emulator.endpoint_url)
        namespace: dict[str, Any] = {"__name__": "__docs__"}
        for block in blocks:
            run_block(block, namespace, _name(page))


@pytest.fixture(scope="module")
def mypy_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Run ``mypy --strict`` once over every page's blocks (one module per page, lines kept); errors by page."""
    pytest.importorskip("mypy", reason="mypy comes with the test extra")
    folder = tmp_path_factory.mktemp("docs-typecheck")
    modules: dict[str, str] = {}
    for page in pages():
        lines = page.read_text(encoding="utf-8").splitlines()
        source = [""] * len(lines)
        for block in python_blocks("\n".join(lines)):
            for offset, line in enumerate(block.code.splitlines()):
                source[block.line - 1 + offset] = line
        module = "docs_" + re.sub(r"\W", "_", _name(page).removesuffix(".md"))
        (folder / f"{module}.py").write_text("\n".join(source) + "\n", encoding="utf-8")
        modules[module] = _name(page)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--hide-error-context",
            *sorted(str(folder / f"{m}.py") for m in modules),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report: dict[str, list[str]] = {name: [] for name in modules.values()}
    for line in done.stdout.splitlines():
        module = Path(line.split(":", 1)[0]).stem
        if module in modules and ": note:" not in line:
            report[modules[module]].append(modules[module] + line[len(line.split(":", 1)[0]) :])
    assert done.returncode in (0, 1), done.stderr or done.stdout
    return report


@pytest.mark.parametrize("page", pages(), ids=_name)
def test_page_passes_mypy_strict(page: Path, mypy_report: dict[str, list[str]]) -> None:
    """The page's python blocks, concatenated at their own line numbers, pass ``mypy --strict``."""
    errors = mypy_report[_name(page)]
    assert not errors, "\n".join(errors)
