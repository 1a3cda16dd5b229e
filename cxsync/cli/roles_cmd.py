"""`cxsync roles` commands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach this module's commands to the app (filled by the roles capability)."""
