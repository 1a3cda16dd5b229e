"""Adapter discovery through the ``cxsync.adapters`` entry-point group.

Discovery is lazy (nothing is imported until an adapter is asked for or listed) and each
plugin is validated against :class:`~cxsync.adapter.AdapterFactory` before it is used, so a
broken third-party adapter fails with an error naming its distribution and version.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

from cxsync.adapter import AdapterFactory, Capability
from cxsync.errors import AdapterLoadError, AdapterNotFoundError

__all__ = ["GROUP", "AdapterInfo", "available", "get_factory", "list_adapters"]

GROUP = "cxsync.adapters"


@dataclass(frozen=True)
class AdapterInfo:
    name: str
    distribution: str
    version: str
    capabilities: tuple[str, ...]
    error: str | None = None


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def _origin(ep: EntryPoint) -> tuple[str, str]:
    dist = ep.dist
    if dist is None:
        return ("unknown", "unknown")
    return (dist.metadata["Name"] or "unknown", dist.version or "unknown")


def _load(ep: EntryPoint) -> AdapterFactory:
    dist, version = _origin(ep)
    try:
        loaded = ep.load()
    except Exception as exc:  # any import failure in a plugin must be reported, not crash us
        raise AdapterLoadError(
            f"adapter {ep.name!r} from {dist} {version} failed to import: {exc}"
        ) from exc
    factory = loaded() if isinstance(loaded, type) else loaded
    missing = [
        attr
        for attr in ("name", "capabilities", "settings_model", "create")
        if not hasattr(factory, attr)
    ]
    if missing:
        raise AdapterLoadError(
            f"adapter {ep.name!r} from {dist} {version} is not a cxsync adapter factory "
            f"(missing: {', '.join(missing)})"
        )
    if factory.name != ep.name:
        raise AdapterLoadError(
            f"adapter {ep.name!r} from {dist} {version} calls itself {factory.name!r}"
        )
    unknown = {str(c) for c in factory.capabilities} - {c.value for c in Capability}
    if unknown:
        raise AdapterLoadError(
            f"adapter {ep.name!r} from {dist} {version} declares unknown capabilities "
            f"{sorted(unknown)}"
        )
    return factory  # type: ignore[no-any-return]


def available() -> list[str]:
    """Names of the registered adapters (nothing is imported)."""
    return sorted(_entry_points())


def get_factory(name: str) -> AdapterFactory:
    """The validated factory registered under ``name``."""
    eps = _entry_points()
    if name not in eps:
        raise AdapterNotFoundError(name, list(eps))
    return _load(eps[name])


def list_adapters() -> list[AdapterInfo]:
    """Every registered adapter with its origin; a broken one is listed with its error."""
    infos = []
    for name, ep in sorted(_entry_points().items()):
        dist, version = _origin(ep)
        try:
            factory = _load(ep)
        except AdapterLoadError as exc:
            infos.append(AdapterInfo(name, dist, version, (), error=str(exc)))
            continue
        caps = tuple(sorted(str(c) for c in factory.capabilities))
        infos.append(AdapterInfo(name, dist, version, caps))
    return infos
