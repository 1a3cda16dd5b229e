"""What every command shares: output format, error-to-exit-code mapping, rendering."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any, NoReturn

import typer
from rich.console import Console

from cxsync.cli.exit_codes import ExitCode
from cxsync.errors import (
    AdapterLoadError,
    AdapterNotFoundError,
    AuthError,
    ConfigError,
    CxSyncError,
    InputError,
    MappingError,
    QuotaExhaustedError,
    RemoteError,
    RunInProgressError,
)

__all__ = [
    "OutputFormat",
    "State",
    "err_console",
    "exit_for",
    "fail",
    "guarded",
    "out_console",
    "print_json",
    "state",
]

out_console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"


class State:
    """Global options, set by the app callback."""

    verbose: bool = False
    config_path: str | None = None


state = State()

_EXIT_FOR: tuple[tuple[type[BaseException], ExitCode], ...] = (
    (ConfigError, ExitCode.CONFIG),
    (MappingError, ExitCode.CONFIG),
    (AdapterNotFoundError, ExitCode.CONFIG),
    (AdapterLoadError, ExitCode.CONFIG),
    (AuthError, ExitCode.AUTH),
    (QuotaExhaustedError, ExitCode.QUOTA),
    (RunInProgressError, ExitCode.LOCKED),
    (InputError, ExitCode.REJECTED),
    (RemoteError, ExitCode.REMOTE),
)


def exit_for(exc: BaseException) -> ExitCode:
    for kind, code in _EXIT_FOR:
        if isinstance(exc, kind):
            return code
    return ExitCode.UNEXPECTED


def fail(message: str, code: ExitCode) -> NoReturn:
    err_console.print(f"[red]error:[/red] {message}", highlight=False, markup=True)
    raise typer.Exit(int(code))


@contextmanager
def guarded() -> Iterator[None]:
    """Turn cxsync errors into one line on stderr and the documented exit code."""
    try:
        yield
    except typer.Exit:
        raise
    except CxSyncError as exc:
        if state.verbose:
            logging.getLogger("cxsync").exception("command failed")
        fail(str(exc), exit_for(exc))
    except Exception as exc:
        if state.verbose:
            raise
        fail(
            f"unexpected {type(exc).__name__}: {exc} (run with --verbose for details)",
            ExitCode.UNEXPECTED,
        )


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str, indent=2) + "\n")


def command(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator form of :func:`guarded` that keeps typer's signature introspection."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with guarded():
            return fn(*args, **kwargs)

    return wrapper
