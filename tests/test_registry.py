"""Adapter discovery: lazy, validated, and honest about broken plugins."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from typing import Any

import pytest
from typer.testing import CliRunner

from cxsync import registry
from cxsync.cli.app import app
from cxsync.errors import AdapterLoadError, AdapterNotFoundError


class _Dist:
    def __init__(self, name: str) -> None:
        self.metadata = {"Name": name}
        self.version = "9.9"


def fake_entry_points(monkeypatch: pytest.MonkeyPatch, **targets: str) -> None:
    eps = {}
    for name, value in targets.items():
        ep = EntryPoint(name=name, value=value, group=registry.GROUP)
        ep = ep._for(_Dist(f"cxsync-{name}"))  # type: ignore[attr-defined]
        eps[name] = ep
    monkeypatch.setattr(registry, "_entry_points", lambda: eps)


class NotAFactory:
    pass


class MisnamedFactory:
    name = "other"
    capabilities = frozenset()
    settings_model = object

    def create(self, settings: Any, context: Any) -> Any:  # pragma: no cover - never called
        raise NotImplementedError


def test_files_adapter_is_registered_from_the_core_distribution() -> None:
    infos = {i.name: i for i in registry.list_adapters()}
    assert infos["files"].distribution == "cxsync"
    assert "write_fields" in infos["files"].capabilities
    assert "files" in registry.available()


def test_unknown_name_lists_what_is_available() -> None:
    with pytest.raises(AdapterNotFoundError) as err:
        registry.get_factory("pipedrive")
    assert "files" in str(err.value) and "pipedrive" in str(err.value)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no_such_module_xyz:Factory", "failed to import"),
        (f"{__name__}:NotAFactory", "missing: name, capabilities, settings_model, create"),
        (f"{__name__}:MisnamedFactory", "calls itself 'other'"),
    ],
    ids=["import-error", "not-a-factory", "misnamed"],
)
def test_broken_plugins_are_named_with_their_distribution(
    monkeypatch: pytest.MonkeyPatch, target: str, message: str
) -> None:
    fake_entry_points(monkeypatch, broken=target)
    with pytest.raises(AdapterLoadError, match=r"cxsync-broken 9\.9") as err:
        registry.get_factory("broken")
    assert message in str(err.value)
    (info,) = registry.list_adapters()
    assert info.error and info.distribution == "cxsync-broken"


def test_cli_lists_adapters_as_json() -> None:
    import json

    result = CliRunner().invoke(app, ["adapters", "list", "--format", "json"])
    assert result.exit_code == 0, result.output
    names = {a["name"]: a for a in json.loads(result.stdout)}
    assert names["files"]["distribution"] == "cxsync"
