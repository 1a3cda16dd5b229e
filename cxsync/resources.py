"""Where the shipped data lives: `mappings/` and the bundled sample data.

In a wheel, `mappings/` is installed as the package ``cxsync.mappings``; in a source
checkout (editable install) it is the top-level ``mappings/`` folder. Callers ask here
and never guess paths themselves.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from cxsync.errors import MappingError

__all__ = ["load_toml", "mappings_dir", "sample_data_dir"]

_CHECKOUT_ROOT = Path(__file__).resolve().parent.parent


@cache
def mappings_dir() -> Path:
    """The folder holding the shipped mapping files."""
    # a data folder inside the installed package (no __init__.py: not a package of its own)
    packaged = Path(str(resources.files("cxsync"))) / "mappings"
    if (packaged / "fields.toml").is_file():
        return packaged
    checkout = _CHECKOUT_ROOT / "mappings"
    if (checkout / "fields.toml").is_file():
        return checkout
    raise MappingError("the shipped mappings/ folder is missing from this installation")


def sample_data_dir() -> Path:
    """The bundled demo dataset."""
    return Path(str(resources.files("cxsync"))) / "sample_data"


def load_toml(path: Path) -> dict[str, Any]:
    """Read a TOML mapping file, naming the file in any error."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise MappingError(f"{path}: file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{path}: not valid TOML: {exc}") from exc
