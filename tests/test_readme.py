"""The README's two commands come first, and .ci/run runs exactly the test command."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("```bash", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line and not line.startswith("#")]


def test_readme_starts_with_two_commands():
    main_job, tests = readme_commands()
    assert main_job.endswith("rotation report")
    assert "pytest" in tests


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert readme_commands()[1] in ci


def test_notebook_snippet_runs_as_written_on_a_fresh_store(tmp_path):
    # The README's Python block, verbatim, in a new process with a new store
    # (open_store loads the bundled data itself) and the repository as cwd.
    import os
    import subprocess
    import sys

    text = (ROOT / "README.md").read_text()
    snippet = text.split("## Notebook use", 1)[1].split("```python", 1)[1]
    snippet = snippet.split("```", 1)[0]
    env = {**os.environ, "ROTATION_STORE": str(tmp_path / "fresh" / "rotation.duckdb")}
    result = subprocess.run(
        [sys.executable, "-c", snippet + "\nprint('snippet ok')"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("snippet ok")
