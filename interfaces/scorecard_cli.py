"""`lending scorecard train|activate|list`: publish, activate and review model versions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from application.scorecard import Activate, Publish, activate, publish, published_versions
from domain.errors import DomainError
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings

scorecard_cli = typer.Typer(help="Scorecard model versions.", no_args_is_help=True)
console = Console()
Actor = Annotated[str, typer.Option(help="Who does it, as recorded.")]


@scorecard_cli.command("train")
def train(
    file: Annotated[Path, typer.Argument(help="CSV of past applications with a header row.")],
    target: Annotated[str, typer.Option(help="The column holding the good/bad outcome.")],
    bad_value: Annotated[
        str | None,
        typer.Option(help="The outcome value that means bad (default: 1, bad, yes, true...)."),
    ] = None,
    actor: Actor = "cli",
) -> None:
    """Train on FILE, publish the model as a new version and print it (alone, last line).

    The new version is not active until `lending scorecard activate VERSION`.
    """
    # scikit-learn takes a while to import; only training needs it.
    from infrastructure.scorecard_training import train_file

    runtime = Runtime.open(Settings())
    try:
        trained = train_file(file, target, bad_value)
        published = publish(runtime.app, Publish(actor, trained.model))
    except DomainError as error:
        console.print(f"[red]{error}")
        raise typer.Exit(2) from None
    finally:
        runtime.close()
    table = Table("feature", "information value", "coefficient")
    for feature in trained.model.features:
        value = trained.information_values[feature.name]
        table.add_row(feature.name, f"{value:.4f}", str(feature.coefficient))
    console.print(table)
    for name, reason in trained.skipped.items():
        console.print(f"left out {name}: {reason}")
    metrics = trained.model.metrics
    assert metrics is not None
    console.print(
        f"held out {metrics.test_rows} of {metrics.train_rows + metrics.test_rows} rows: "
        f"AUC {metrics.auc}  Gini {metrics.gini}  KS {metrics.ks}"
    )
    print(published.version)


@scorecard_cli.command("activate")
def activate_version(version: int, actor: Actor = "cli") -> None:
    """Score new applications with VERSION from now on."""
    runtime = Runtime.open(Settings())
    try:
        activate(runtime.app, Activate(actor, version))
    except DomainError as error:
        console.print(f"[red]{error}")
        raise typer.Exit(2) from None
    finally:
        runtime.close()
    console.print(f"scorecard version {version} is active")


@scorecard_cli.command("list")
def list_versions() -> None:
    """Every published version, newest first."""
    runtime = Runtime.open(Settings())
    try:
        versions = published_versions(runtime.app)
    finally:
        runtime.close()
    table = Table("version", "kind", "active", "AUC", "features")
    for found in versions:
        auc = "-" if found.auc is None else str(found.auc)
        active = "yes" if found.active else ""
        table.add_row(str(found.version), found.kind, active, auc, ", ".join(found.features))
    console.print(table)
