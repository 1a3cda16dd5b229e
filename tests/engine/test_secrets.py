"""A planted secret never reaches a log line, an error, the store, the summary or the report.

The canary is the password of the PostgreSQL state store's URL (the server trusts local
connections, so any password works), the one secret the files adapter's runs carry.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.engine.conftest import MiniCrm

CANARY = "canary-" + uuid.uuid4().hex[:12]


@pytest.mark.postgres
def test_canary_password_never_leaks(mini_crm: MiniCrm, tmp_path: Path) -> None:
    schema = f"cxsync_canary_{uuid.uuid4().hex[:8]}"
    admin = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/test")
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = (
        f"postgresql+psycopg://postgres:{CANARY}@127.0.0.1:5432/test"
        f"?options=-csearch_path%3D{schema}"
    )
    config = tmp_path / "cxsync.toml"
    config.write_text(
        f'crm = "files"\nwork_dir = "{tmp_path / ".cxsync"}"\n'
        f'[adapter.files]\npath = "{mini_crm.crm}"\n',
        encoding="utf-8",
    )
    env = dict(os.environ, CXSYNC_STORE_URL=url)
    base = [
        sys.executable,
        "-c",
        "from cxsync.cli.app import main; main()",
        "--config",
        str(config),
    ]
    try:
        outputs = []
        for args in (
            ["--verbose", "--log-json", "sync", "--format", "json"],
            ["runs", "--format", "json"],
            ["health", "--format", "json"],
            ["report", "--html", str(tmp_path / "r.html")],
        ):
            proc = subprocess.run(
                base + args, capture_output=True, text=True, env=env, timeout=120, check=False
            )
            assert proc.returncode in (0, 9), proc.stderr[-2000:]
            outputs += [proc.stdout, proc.stderr]
        bad = subprocess.run(
            [*base, "sync"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env=dict(env, CXSYNC_STORE_URL=url.replace("5432", "1")),
        )
        assert bad.returncode != 0
        outputs += [bad.stdout, bad.stderr]
        for output in outputs:
            assert CANARY not in output
        assert CANARY not in (tmp_path / "r.html").read_text(encoding="utf-8")
        with admin.begin() as conn:
            tables = (
                conn.execute(
                    text(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = :s"
                    ),
                    {"s": schema},
                )
                .scalars()
                .all()
            )
            assert "cxsync_runs" in tables
            for table in tables:
                dump = conn.execute(text(f'SELECT * FROM "{schema}"."{table}"')).all()
                assert CANARY not in repr(dump), table
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
