"""The demo's staff: the head office, two branches, and a user for every name the demo
acts as, each with one development password that `lending demo` prints once.

Borrowers belong to the branch of the officer who registers them and loans to the
branch of the officer who applies, so an officer who logs in sees their branch's book
and the head office sees all of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.app import LendingApplication
from application.offices import OpenOffice, head_office, open_office
from application.staff.users import CreateFirstAdmin, CreateUser, create_first_admin, user_named
from application.staff.users import create_user as create
from domain.errors import Conflict
from domain.staff import Role

# For development only: every demo user's password, printed when the demo loads.
DEMO_PASSWORD = "tea-garden-demo-2026"
WUHAN = "武汉分行 Wuhan branch"
CHENGDU = "成都分行 Chengdu branch"
BRANCHES = (WUHAN, CHENGDU)


@dataclass(frozen=True)
class Member:
    username: str
    display_name: str
    branch: str | None  # None: the head office
    roles: tuple[Role, ...]


ADMIN = Member("admin.wu", "吴 Wu (admin)", None, (Role.ADMIN,))
STAFF = (
    Member("approver.sun", "孙 Sun (approver)", None, (Role.APPROVER,)),
    Member("approver.zhou", "周 Zhou (approver)", None, (Role.APPROVER,)),
    Member("reviewer.qian", "钱 Qian (reviewer)", None, (Role.REVIEWER,)),
    Member("reviewer.he", "何 He (reviewer)", None, (Role.REVIEWER,)),
    Member("officer.zhang", "张 Zhang (loan officer)", WUHAN, (Role.LOAN_OFFICER,)),
    Member("officer.li", "李 Li (loan officer)", WUHAN, (Role.LOAN_OFFICER,)),
    Member("officer.wang", "王 Wang (loan officer)", CHENGDU, (Role.LOAN_OFFICER,)),
    Member("collector.zhao", "赵 Zhao (collector)", WUHAN, (Role.COLLECTOR,)),
    Member("collector.liu", "刘 Liu (collector)", CHENGDU, (Role.COLLECTOR,)),
    Member("risk.ma", "马 Ma (risk officer)", None, (Role.RISK_OFFICER,)),
    Member("analyst.guo", "郭 Guo (analyst)", None, (Role.ANALYST,)),
    Member("auditor.chen", "陈 Chen (auditor)", None, (Role.AUDITOR,)),
)


def staff_offices(app: LendingApplication) -> tuple[dict[str, UUID], int]:
    """Open the branches and create the demo's users, those not there yet: the office of
    each demo user by username, and the last position written (0: nothing new). A store
    whose first admin is someone else's gets no demo users (nobody may create them), and
    its demo records belong to the head office."""
    before = app.recorder.max_notification_id() or 0
    if user_named(app, ADMIN.username) is None:
        try:
            create_first_admin(
                app, CreateFirstAdmin(ADMIN.username, DEMO_PASSWORD, ADMIN.display_name)
            )
        except Conflict:  # the store's first admin is someone else: no demo users
            return {}, 0
    # The demo acts under its staff's usernames throughout, as its other events do.
    actor = ADMIN.username
    offices = {member.username: _office(app, member, actor) for member in STAFF}
    offices[ADMIN.username] = head_office(app, actor).id
    after = app.recorder.max_notification_id() or 0
    return offices, after if after > before else 0


def _office(app: LendingApplication, member: Member, actor: str) -> UUID:
    existing = user_named(app, member.username)
    if existing is not None:
        return existing.office_id
    office = head_office(app, actor).id
    if member.branch is not None:
        office = _branch(app, member.branch, actor)
    command = CreateUser(
        actor, member.username, member.display_name, office, list(member.roles), DEMO_PASSWORD
    )
    create(app, command)
    return office


def _branch(app: LendingApplication, name: str, actor: str) -> UUID:
    """The branch of that name a demo user already belongs to, else a new one."""
    for member in STAFF:
        user = user_named(app, member.username)
        if member.branch == name and user is not None:
            return user.office_id
    head = head_office(app, actor).id
    return open_office(app, OpenOffice(actor, name, head)).id
