"""Code-quality gates as tests, so the README's one test command runs them all.

ruff (lint + format), mypy on src/, and the import-linter contract that keeps
the pure core free of I/O, CLI and web dependencies.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PATHS = ["src", "tests", "benchmarks", "scripts"]


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    exe = BIN / cmd[0]
    program = str(exe) if exe.exists() else shutil.which(cmd[0])
    assert program, f"{cmd[0]} is not installed (pip install -e '.[dev]')"
    return subprocess.run([program, *cmd[1:]], cwd=ROOT, capture_output=True, text=True)


def test_ruff_lint():
    result = run("ruff", "check", *PATHS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format():
    result = run("ruff", "format", "--check", *PATHS)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy():
    result = run("mypy")
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr


def test_core_never_imports_shells():
    result = run("lint-imports")
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr


#: Shell packages whose functions must stay short: they render, never compute.
SHELLS = ("report", "web", "cli")
MAX_SHELL_FUNCTION_LINES = 60


def _long_functions(path: Path, root: Path = ROOT) -> list[str]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            if lines > MAX_SHELL_FUNCTION_LINES:
                where = path.relative_to(root)
                out.append(f"{where}:{node.lineno} {node.name} ({lines})")
    return out


def test_shell_functions_are_short():
    """No function in report/, web/ or cli/ is over 60 lines (issue 13)."""
    found = [
        long
        for shell in SHELLS
        for path in sorted((ROOT / "src" / "rotation" / shell).rglob("*.py"))
        for long in _long_functions(path)
    ]
    assert not found, "functions over 60 lines:\n" + "\n".join(found)


def test_long_function_finder_sees_long_functions(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(70))
    path = tmp_path / "probe.py"
    path.write_text(f"def f():\n{body}\n\n\ndef g():\n    return 1\n", encoding="utf-8")
    assert _long_functions(path, tmp_path) == ["probe.py:1 f (71)"]
