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
