"""The HubSpot package: registered, settings validated, secrets kept out of errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxsync.adapter import AdapterContext
from cxsync.errors import ConfigError
from cxsync.registry import get_factory, list_adapters
from cxsync.schema import load_field_map


def context(tmp_path: Path) -> AdapterContext:
    return AdapterContext(field_map=load_field_map("hubspot"), work_dir=tmp_path)


def test_registered_with_its_distribution() -> None:
    info = {i.name: i for i in list_adapters()}["hubspot"]
    assert info.distribution == "cxsync-hubspot" and info.error is None


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({}, "access_token"),
        ({"flow": "oauth", "client_id": "x"}, "refresh_token"),
        ({"flow": "private_app", "access_token": "pat", "tier": "gold"}, "tier"),
    ],
    ids=["no-token", "oauth-incomplete", "bad-tier"],
)
def test_every_settings_problem_is_named(
    tmp_path: Path, settings: dict[str, str], problem: str
) -> None:
    with pytest.raises(ConfigError) as err:
        get_factory("hubspot").create(settings, context(tmp_path))
    assert problem in str(err.value)


def test_valid_settings_build_an_adapter_whose_repr_hides_the_token(tmp_path: Path) -> None:
    adapter = get_factory("hubspot").create({"access_token": "pat-na1-canary"}, context(tmp_path))
    assert adapter.name == "hubspot"
    assert "pat-na1-canary" not in repr(adapter) and "pat-na1-canary" not in repr(adapter.client)
    assert "pat-na1-canary" not in repr(adapter.settings)


def test_oauth_settings_keep_every_secret_out_of_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        get_factory("hubspot").create(
            {"flow": "oauth", "client_secret": "cs-canary", "refresh_token": "rt-canary"},
            context(tmp_path),
        )
    text = str(err.value) + " ".join(err.value.problems)
    assert "client_id" in text
    assert "cs-canary" not in text and "rt-canary" not in text
