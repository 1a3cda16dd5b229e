"""The files adapter: accounts, contacts and feedback as CSV/JSONL files in a folder.

The reference implementation of the cxsync adapter protocol (see README.md beside it).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cxsync.adapter import AdapterContext
from cxsync.errors import ConfigError
from cxsync_files.adapter import CAPABILITIES, FilesAdapter
from cxsync_files.tables import find_table

__all__ = ["FilesAdapter", "FilesAdapterFactory", "FilesSettings"]


class FilesSettings(BaseModel):
    """``[adapter.files]`` in cxsync.toml."""

    model_config = ConfigDict(extra="forbid")

    path: Path
    page_size: int = Field(1000, ge=1, le=100_000)
    encoding: str | None = Field(None, description="force an encoding instead of detecting it")


class FilesAdapterFactory:
    name = "files"
    capabilities = CAPABILITIES
    settings_model = FilesSettings

    def create(self, settings: Mapping[str, Any], context: AdapterContext) -> FilesAdapter:
        try:
            parsed = FilesSettings.model_validate(dict(settings))
        except ValidationError as exc:
            problems = [
                f"adapter.files.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
            ]
            raise ConfigError("files adapter settings are invalid", problems) from None
        folder = parsed.path.expanduser().resolve()
        problems = []
        if not folder.is_dir():
            problems.append(f"adapter.files.path: folder {folder} not found")
        else:
            for table in ("accounts", "contacts"):
                if find_table(folder, table) is None:
                    problems.append(
                        f"adapter.files.path: {folder} has no {table}.csv or {table}.jsonl"
                    )
        if problems:
            raise ConfigError("files adapter settings are invalid", problems)
        return FilesAdapter(
            folder, context.field_map, page_size=parsed.page_size, encoding=parsed.encoding
        )
