from __future__ import annotations

import pandas as pd
import pytest

from rotation import open_store
from rotation.data.store import Store


@pytest.fixture(scope="session")
def loaded_store(tmp_path_factory) -> Store:
    """A file-backed store: ``open_store`` on a new path loads the bundled dataset."""
    path = tmp_path_factory.mktemp("store") / "rotation.duckdb"
    return open_store(path)


@pytest.fixture
def empty_store(tmp_path) -> Store:
    return Store(tmp_path / "s.duckdb", today=pd.Timestamp("2026-11-25"))
