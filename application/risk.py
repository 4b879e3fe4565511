"""Risk warnings: raised by close of business, acknowledged and resolved by risk officers.

Close of business asks a read model the caller owns for the day's findings (set-based
queries over read models, never a load of every loan) and raises a warning for each.
A warning's id comes from its rule, subject and threshold, so a finding raised before
(by an earlier run, or by a run that died before closing its day) is refused by the
event store and skipped: a warning is raised exactly once.

Events reach the rules through that read model: a `PromiseBroken` recorded by the
collections step of a day is seen by this step, which runs after it, the same day.
Exposure is checked at close of business too, so a disbursement never waits on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.app import LendingApplication, Written, check_version
from application.calendar import business_date
from application.close_of_business import DayStep, later
from domain.risk import Finding, RiskPolicy, RiskWarning

# (day, policy, position): what the rules find on `day`, once the read models they
# query have processed `position` (None: the store's head; 0: no need to wait).
RiskFindings = Callable[[date, RiskPolicy, int | None], Iterable[Finding]]

# Warnings saved in one transaction; a batch holding one raised before is retried singly.
BATCH = 200


def raising_warnings(find: RiskFindings) -> DayStep:
    """The close-of-business step that raises the warnings the day's findings call for."""

    def step(app: LendingApplication, actor: str, day: date, after: int | None) -> int | None:
        findings = find(day, app.policies.risk, after)
        return later(after, raise_warnings(app, actor, day, findings))

    return step


def raise_warnings(
    app: LendingApplication, actor: str, day: date, findings: Iterable[Finding]
) -> int:
    """Raise a warning for each finding not raised before; the last position written."""
    unique = list({finding.id: finding for finding in findings}.values())
    last = 0
    for start in range(0, len(unique), BATCH):
        batch = unique[start : start + BATCH]
        try:
            warnings = [RiskWarning.raise_for(actor=actor, finding=f, on=day) for f in batch]
            last = max(last, app.save_all(*warnings).position)
        except IntegrityError:
            # A failed save has taken the warnings' events: raise each one afresh.
            for finding in batch:
                last = max(last, _raise_unless_raised(app, actor, day, finding))
    return last


def _raise_unless_raised(app: LendingApplication, actor: str, day: date, finding: Finding) -> int:
    try:
        return app.save_all(RiskWarning.raise_for(actor=actor, finding=finding, on=day)).position
    except IntegrityError:  # raised before: the warning already exists
        return 0


@dataclass(frozen=True)
class Acknowledge:
    actor: str
    warning_id: UUID
    note: str = ""
    expected_version: int | None = None


def acknowledge(app: LendingApplication, command: Acknowledge) -> Written:
    actor, note = command.actor, command.note
    today = business_date(app, actor)
    return _act(
        app,
        command.warning_id,
        command.expected_version,
        lambda w: w.acknowledge(actor=actor, on=today, note=note),
    )


@dataclass(frozen=True)
class Resolve:
    actor: str
    warning_id: UUID
    note: str
    expected_version: int | None = None


def resolve(app: LendingApplication, command: Resolve) -> Written:
    actor, note = command.actor, command.note
    today = business_date(app, actor)
    return _act(
        app,
        command.warning_id,
        command.expected_version,
        lambda w: w.resolve(actor=actor, on=today, note=note),
    )


def _act(
    app: LendingApplication,
    warning_id: UUID,
    expected_version: int | None,
    action: Callable[[RiskWarning], None],
) -> Written:
    def attempt() -> Written:
        warning = app.load(RiskWarning, warning_id, "risk warning")
        check_version(warning, expected_version)
        action(warning)
        return app.save_all(warning)

    return app.retrying(attempt)
