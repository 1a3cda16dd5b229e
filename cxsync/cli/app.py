"""The `cxsync` command. Thin: parse, call library functions, render."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from cxsync.cli import (
    adapters_cmd,
    demo_cmd,
    emails_cmd,
    feedback_cmd,
    health_cmd,
    install_cmd,
    roles_cmd,
    sync_cmd,
)
from cxsync.cli.common import state

app = typer.Typer(
    name="cxsync",
    help="B2B customer-experience management inside your CRM.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _global(
    config: Annotated[
        str | None,
        typer.Option("--config", "-c", help="Path to cxsync.toml.", envvar="CXSYNC_CONFIG"),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Tracebacks and debug logs.")
    ] = False,
    log_json: Annotated[
        bool, typer.Option("--log-json", help="Structured JSON logs on stderr.")
    ] = False,
) -> None:
    state.verbose = verbose
    state.config_path = config
    from cxsync.logs import configure_logging

    configure_logging(verbose=verbose, json_lines=log_json)
    logging.getLogger("cxsync").debug("cxsync starting")


for module in (
    adapters_cmd,
    demo_cmd,
    emails_cmd,
    feedback_cmd,
    health_cmd,
    install_cmd,
    roles_cmd,
    sync_cmd,
):
    module.register(app)


def main() -> None:
    app()
