"""Every store test runs on SQLite and on the PostgreSQL server of this machine."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from cxsync.store import Store

PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    """A schema of its own per test session (and xdist worker), dropped afterwards."""
    name = f"cxsync_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(PG_BASE)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    yield name
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    engine.dispose()


def pg_url(schema: str) -> str:
    return f"{PG_BASE}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    schema: str = request.getfixturevalue("pg_schema")
    return pg_url(schema)


@pytest.fixture
def store(store_url: str, tmp_path: Path) -> Iterator[Store]:
    s = Store.open(store_url, work_dir=tmp_path)
    yield s
    s.close()


@pytest.fixture
def scope() -> str:
    """A unique scope per test, so tests sharing the PostgreSQL schema never collide."""
    return f"test:{uuid.uuid4().hex[:8]}"
