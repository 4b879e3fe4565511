"""`lending demo`: load the demo portfolio, and show its products' rates, fees included."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from application.calendar import business_date
from application.demo import ADMIN
from application.demo.rates import product_rates
from application.demo.staff import ADMIN as DEMO_ADMIN
from application.demo.staff import DEMO_PASSWORD, STAFF
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings

console = Console()


def demo(
    borrowers: int = 300,
    loans: Annotated[
        bool, typer.Option(help="Also load products, loans and repayments (else borrowers only).")
    ] = True,
    seed: Annotated[int, typer.Option(help="The same seed loads the same portfolio.")] = 20261122,
) -> None:
    """Load the demo portfolio."""
    runtime = Runtime.open(Settings())
    try:
        with Progress(console=console) as progress:
            task = progress.add_task("borrowers", total=borrowers)
            position = runtime.load_demo(
                borrowers, progress=lambda n: progress.advance(task, n), seed=seed, loans=loans
            )
        console.print(f"Loaded up to event store position {position}")
        if loans:
            print_product_rates(runtime)
        print_demo_staff()
    finally:
        runtime.close()


def load_demo_if_empty(settings: Settings) -> None:
    runtime = Runtime.open(settings)
    try:
        if runtime.projections.head() == 0:
            console.print("Empty store: loading the demo portfolio…")
            runtime.load_demo()
            print_product_rates(runtime)
            print_demo_staff()
    finally:
        runtime.close()


def print_product_rates(runtime: Runtime) -> None:
    """The demo products' nominal rates beside the APR (simple, fees included) of a
    typical loan at the product's lowest and highest rate."""
    ceiling = runtime.app.policies.credit.legal_ceiling_percent
    console.print("Demo products: nominal rate a year -> APR (simple, fees included)")
    for row in product_rates(runtime.app, business_date(runtime.app, ADMIN)):
        low, high = row.nominal
        above = f", above the {ceiling}% ceiling: lent lower" if row.apr[1] > ceiling else ""
        console.print(
            f"  {row.code}: nominal {low}% to {high}% -> APR {row.apr[0]}% to {row.apr[1]}%"
            f"{above} (charges: {row.charges}; for {row.example})",
            soft_wrap=True,
            highlight=False,
        )


def print_demo_staff() -> None:
    """The demo's users, printed once as the demo loads: log in with POST /auth/login."""
    console.print(
        f"Demo staff, for development only; every password is {DEMO_PASSWORD!r}"
        " (POST /auth/login {username, password}):",
        highlight=False,
    )
    for member in (DEMO_ADMIN, *STAFF):
        roles = ", ".join(role.value for role in member.roles)
        where = member.branch or "Head office"
        console.print(f"  {member.username:<15} {roles:<13} {where}", highlight=False)
