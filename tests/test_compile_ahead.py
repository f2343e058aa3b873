"""The compile-ahead process covers every kernel a default analysis calls."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rotation import _compile_ahead

# Every part of the default analysis, with a listener on numba's compile
# event: prints the kernels it had to compile (loads from the cache are not
# compile events).
_ANALYSIS = """
from numba.core import event
compiled = []
class Listener(event.Listener):
    def on_start(self, ev):
        compiled.append(ev.data["dispatcher"].py_func.__qualname__)
    def on_end(self, ev):
        pass
event.register("numba:compile", Listener())
import rotation
from rotation.analysis import PARTS
analysis = rotation.open_analysis()
for name in PARTS:
    getattr(analysis, name)
print("compiled:", sorted(set(compiled)))
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env.update(
        NUMBA_CACHE_DIR=str(tmp_path / "numba"),
        ROTATION_STORE=str(tmp_path / "store.duckdb"),
        HOME=str(tmp_path),
    )
    return env


def test_after_the_compile_ahead_an_analysis_compiles_nothing(tmp_path, monkeypatch):
    env = _env(tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv(_compile_ahead.ENV_SWITCH, raising=False)
    assert not _compile_ahead.marker_path().exists()
    process = _compile_ahead.start_compile_ahead()
    assert process is not None
    assert process.wait(timeout=600) == 0
    assert _compile_ahead.marker_path().exists()
    # compiled once: the next run spawns nothing
    assert _compile_ahead.start_compile_ahead() is None
    done = subprocess.run(
        [sys.executable, "-c", _ANALYSIS],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "compiled: []" in done.stdout, done.stdout


def test_the_switch_turns_it_off(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv(_compile_ahead.ENV_SWITCH, "0")
    assert _compile_ahead.start_compile_ahead() is None


def test_the_marker_follows_the_numba_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "a"))
    first = _compile_ahead.marker_path()
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "b"))
    assert first.parent == tmp_path / "a"
    assert _compile_ahead.marker_path().parent == tmp_path / "b"
    assert first.name == _compile_ahead.marker_path().name
