"""A store written by an older version opens: the tables it lacks are created."""

from __future__ import annotations

import duckdb

from rotation.data.store import Store


def test_an_older_store_gains_the_new_tables(tmp_path):
    path = tmp_path / "old.duckdb"
    Store(path)  # the current schema
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE store_state")
    con.close()
    reopened = Store(path)
    tables = set(
        reopened._query("SELECT table_name FROM information_schema.tables")[
            "table_name"
        ]
    )
    assert "store_state" in tables
    assert reopened.state("anything") is None
