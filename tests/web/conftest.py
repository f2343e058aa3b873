"""Fixtures: a real store loaded with the bundled dataset, the app, a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rotation.data.ingest import ensure_bundled
from rotation.data.store import open_store
from rotation.web import BackgroundServer


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("webstore") / "rotation.duckdb"
    ensure_bundled(open_store(path))
    return path


@pytest.fixture(scope="session")
def thesis_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A thesis folder with a copy of the default thesis under another name."""
    from rotation.thesis_files import default_thesis_text

    folder = tmp_path_factory.mktemp("theses")
    (folder / "my_view.yaml").write_text(default_thesis_text(), encoding="utf-8")
    (folder / "notes.txt").write_text("not a thesis", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def server(store_path: Path, thesis_dir: Path) -> Iterator[BackgroundServer]:
    with BackgroundServer(store_path, thesis_dir=thesis_dir) as running:
        yield running
