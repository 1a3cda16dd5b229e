"""Configuration: TOML, environment, CLI overrides; every problem reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxsync.config import load_config
from cxsync.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cxsync.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_toml_then_environment_then_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(
        tmp_path,
        'crm = "hubspot"\n[sync]\nwrite_batch = 100\n[adapter.hubspot]\nflow = "private_app"\n',
    )
    monkeypatch.setenv("CXSYNC_SYNC__WRITE_BATCH", "300")
    monkeypatch.setenv("CXSYNC_ADAPTER__HUBSPOT__ACCESS_TOKEN", "pat-secret-value")
    config = load_config(path)
    assert config.crm == "hubspot"
    assert config.sync.write_batch == 300  # environment beats the file
    assert config.adapter_settings() == {"flow": "private_app", "access_token": "pat-secret-value"}
    assert load_config(path, crm="files").crm == "files"  # a flag beats both


def test_every_problem_is_reported_together(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[sync]\nwrite_batch = 0\naccount_batch = "many"\n[hygiene]\nstale_after_days = -1\nbogus = 1\n',
    )
    with pytest.raises(ConfigError) as err:
        load_config(path)
    text = str(err.value)
    for fragment in (
        "sync.write_batch",
        "sync.account_batch",
        "hygiene.stale_after_days",
        "hygiene.bogus",
    ):
        assert fragment in text
    assert len(err.value.problems) == 4


def test_missing_files_named_in_config_are_problems(tmp_path: Path) -> None:
    path = write(tmp_path, '[roles]\noverrides = "nope.toml"\n[feedback]\nfolder = "no-such-dir"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert {p.split(":")[0] for p in err.value.problems} == {"roles.overrides", "feedback.folder"}


def test_explicit_config_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml")


def test_invalid_values_are_not_echoed(tmp_path: Path) -> None:
    path = write(tmp_path, '[sync]\nwrite_batch = "hunter2-secret"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "hunter2-secret" not in str(err.value)


def test_repr_never_shows_adapter_settings(tmp_path: Path) -> None:
    path = write(tmp_path, '[adapter.files]\npath = "x"\npassword = "canary-7f3a9c"\n')
    config = load_config(path)
    assert "canary-7f3a9c" not in repr(config)
    assert "canary-7f3a9c" not in str(config)
