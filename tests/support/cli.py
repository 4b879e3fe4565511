"""The `lending` command line run in this process: for tests of what a command does,
its output and exit code, not of its process. A new Python process spends seconds
importing the service before the command starts; tests of the process itself (killed,
signalled, restarted, the real entry point) use tests/support/processes.py."""

from __future__ import annotations

import os
import subprocess
import traceback

from typer.testing import CliRunner

from interfaces.cli import cli


def invoke(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`lending ARGS` with `env` as its whole environment (and `stdin` for its input), as
    `processes.run` answers: an exception that escapes the command is exit code 1, its
    traceback in stderr."""
    # CliRunner sets what it is given and restores it after; what `env` leaves out, unset.
    environment: dict[str, str | None] = {name: None for name in os.environ if name not in env}
    environment.update(env)
    result = CliRunner().invoke(cli, list(args), env=environment, input=stdin)
    stderr = result.stderr
    code = result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        stderr += "".join(traceback.format_exception(*result.exc_info))
        code = 1
    return subprocess.CompletedProcess(["lending", *args], code, result.stdout, stderr)
