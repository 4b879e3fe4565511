"""`lending users create-admin`: the first admin of a new store."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from application.staff.passwords import new_password
from application.staff.users import CreateFirstAdmin, create_first_admin
from domain.errors import DomainError
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings

users_cli = typer.Typer(help="Staff users.", no_args_is_help=True)
console = Console(stderr=True)


@users_cli.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option(help="The admin's username.")],
    display_name: Annotated[str, typer.Option(help="The name others see.")] = "Administrator",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin's first line.")
    ] = False,
) -> None:
    """Create the store's first admin, at the head office; refused once there is one.

    Without --password-stdin a password is generated and printed once (alone, on the
    last line): log in with it and have another admin, or this one, reset it.
    """
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else new_password()
    runtime = Runtime.open(Settings())
    try:
        command = CreateFirstAdmin(username, password, display_name)
        written = create_first_admin(runtime.app, command)
    except DomainError as error:
        console.print(f"[red]{error}")
        raise typer.Exit(2) from None
    finally:
        runtime.close()
    console.print(f"Created the admin {username.strip().lower()} (user id {written.id}).")
    if not password_stdin:
        console.print("Its one-time password, shown only now:")
        print(password)
