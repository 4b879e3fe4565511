"""The `lending` command line: tokens, projection status and rebuild."""

from __future__ import annotations

from application.demo import load_demo
from infrastructure import secrets
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from infrastructure.tokens import Role, decode
from tests.support.cli import invoke
from tests.support.processes import lending_env, run


def test_token_prints_a_token_the_server_accepts(settings: Settings) -> None:
    env = lending_env(settings)
    del env["LENDING_JWT_SECRET"]  # the development secret in the data directory
    done = run("token", "--sub", "alice", "--role", "loan_officer", "--role", "auditor", env=env)
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip().splitlines()[-1]
    dev = Settings(data_dir=settings.data_dir)
    user = decode(secrets.jwt_secret(dev), token)
    assert user.sub == "alice"
    assert user.roles == {Role.LOAN_OFFICER, Role.AUDITOR}


def test_unknown_role_is_refused(settings: Settings) -> None:
    done = run("token", "--sub", "alice", "--role", "wizard", env=lending_env(settings))
    assert done.returncode != 0
    assert "wizard" in done.stderr


def test_projection_status_and_rebuild(runtime: Runtime, settings: Settings) -> None:
    """In process: the token tests above run the real entry point."""
    head = load_demo(runtime.app, borrowers=5, loans=False)
    env = lending_env(settings)
    rebuilt = invoke("projections", "rebuild", "borrowers", env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"rebuilt to position {head}" in rebuilt.stdout
    status = invoke("projections", "status", env=env)
    assert status.returncode == 0, status.stderr
    assert "borrowers" in status.stdout
    assert str(head) in status.stdout
    missing = invoke("projections", "rebuild", "nonsense", env=env)
    assert missing.returncode == 2


def test_scorecard_list_shows_the_expert_model_active(settings: Settings) -> None:
    listed = run("scorecard", "list", env=lending_env(settings))
    assert listed.returncode == 0, listed.stderr
    (row,) = [line for line in listed.stdout.splitlines() if " expert " in line]
    assert row.split()[:4] == ["│", "1", "│", "expert"]
    assert "yes" in row
