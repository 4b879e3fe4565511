"""100,000 active loans for the benchmarks, built once and kept as a template database.

The loans are real aggregates made through the domain (submit, approve, sign, disburse),
saved a few hundred to a transaction, bypassing HTTP and the credit intake. The read
models take the events a page per transaction, close of business advances the business
date, and the finished database is kept under a name made of `SEED_VERSION` and the read
models' schema. Later runs copy it (CREATE DATABASE ... TEMPLATE) in seconds; a change to
either builds a new one.

The story: the books open on 1 February 2026; each of the 20 days to 20 February
disburses 5,000 monthly loans over five regions (a branch of the head office each) and
three products, so 5% of the loans
fall due on each of 1 to 20 March; close of business then reaches 1 March.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import psycopg
from eventsourcing.persistence import Tracking
from psycopg.conninfo import make_conninfo

from application.app import LendingApplication
from application.calendar import load_calendar
from application.close_of_business import CloseOfBusiness, close_of_business
from application.offices import OpenOffice, head_office, open_office
from application.phones import normalize_phone, phone_digest
from application.products import DefineProduct, define_product
from domain.borrower import Borrower, BorrowerKind, Profile, normalize_id_number
from domain.claims import Claim
from domain.identity import resident_id_check_character
from domain.loan import Disbursement, Loan, LoanRequest
from domain.product import LoanProduct, ProductTerms
from domain.schedule import Frequency, Method
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from projections.base import APPLICATION_NAME
from projections.catalog import ReadModelSet
from tests.support.settings import TEST_CIPHER_KEY, TEST_JWT_SECRET

# 2: the events carry their hash chain and the store its data key (a seed from before
# would be chained, and its key found, again on every copy). 3: borrowers and loans
# belong to their region's branch, so office reach has something to filter.
SEED_VERSION = 3
# The benchmark store's size: 100,000 loans, or fewer (LENDING_BENCH_LOANS) on a machine
# too busy to build that many; the benchmarks then project their figures to 100,000.
FULL_SIZE = 100_000
LOANS = int(os.environ.get("LENDING_BENCH_LOANS", FULL_SIZE))
OPENING = date(2026, 2, 1)
DISBURSEMENT_DAYS = 20
BUSINESS_DATE = date(2026, 3, 1)  # as seeded; the loans of 1 March are 1 DPD on 2 March
LOANS_PER_BORROWER = 10
# Loans per transaction (100 events, a few hundred kB). Batches of 400 events and more
# can hang in psycopg's pipelined insert once its output outgrows the socket buffer
# (seen here with psycopg 3.3.9; psycopg/psycopg#685 reports the same kind of hang).
BATCH = 25
PAGE = 1_000  # events per read-model transaction while catching up
REGIONS = {"Beijing": "110101", "Hubei": "420106", "Sichuan": "510104",
           "Guangdong": "440103", "Zhejiang": "330102"}  # region: area code  # fmt: skip
PRODUCTS = {"BENCH-6": 6, "BENCH-12": 12, "BENCH-24": 24}  # code: term in months
OFFICER, APPROVER, ADMIN = "officer.zhang", "approver.sun", "admin.wu"
log = logging.getLogger(__name__)


def template_name(loans: int = LOANS) -> str:
    """The seeded database's name: a new seed or a changed read model builds another. A
    bench that asks for a size of its own (not LOANS) keeps it under another prefix."""
    kinds = ReadModelSet.kinds()
    schema = "\n".join(f"{view.name}:{s}" for view in kinds for s in view.schema)
    size = "" if loans == FULL_SIZE else f"{loans}\n"  # the full seed keeps its name
    digest = hashlib.sha256(f"{SEED_VERSION}\n{size}{schema}".encode()).hexdigest()[:12]
    return f"{prefix(loans)}{digest}"


def prefix(loans: int) -> str:
    return "lending_bench_seed_" if loans == LOANS else f"lending_bench_size{loans}_"


def settings_for(url: str, data_dir: Path) -> Settings:
    return Settings(
        database_url=url, data_dir=data_dir, jwt_secret=TEST_JWT_SECRET,
        cipher_key=TEST_CIPHER_KEY, opening_date=OPENING,
    )  # fmt: skip


@contextmanager
def seeded_copy(server_url: str, data_dir: Path, loans: int = LOANS) -> Iterator[str]:
    """A fresh copy of the seeded database (built first if missing); dropped afterwards."""
    template = ensure_template(server_url, data_dir, loans)
    name = f"lending_bench_{uuid.uuid4().hex[:10]}"
    began = time.perf_counter()
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{strategy(admin)}')
    print(f"\nseed: copied {template} in {time.perf_counter() - began:.1f} s")
    try:
        yield make_conninfo(server_url, dbname=name)
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def strategy(admin: psycopg.Connection[tuple[object, ...]]) -> str:
    """Copy the files themselves where the server can: far faster for a large database."""
    return " STRATEGY = FILE_COPY" if admin.info.server_version >= 150000 else ""


def ensure_template(server_url: str, data_dir: Path, loans: int = LOANS) -> str:
    name = template_name(loans)
    with psycopg.connect(server_url, autocommit=True) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if found:
            return name
        # Older seeds and a build that died part-way are of no further use.
        for (old,) in admin.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", (prefix(loans),)
        ).fetchall():
            admin.execute(f'DROP DATABASE "{old}" WITH (FORCE)')
        building = f"{name}_building"
        admin.execute(f'CREATE DATABASE "{building}"')
    began = time.perf_counter()
    url = make_conninfo(server_url, dbname=building)
    seed(url, data_dir, loans)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # copies start with planner statistics
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    print(f"\nseed: {loans} loans built as {name} in {time.perf_counter() - began:.0f} s")
    return name


def seed(url: str, data_dir: Path, loans: int = LOANS) -> None:
    """The story of the module docstring, with `loans` loans, into the database `url`."""
    runtime = Runtime.open(settings_for(url, data_dir))
    began = time.perf_counter()
    try:
        app = runtime.app
        load_calendar(app, ADMIN)  # opened on OPENING
        products = [define(app, code, term) for code, term in PRODUCTS.items()]
        branches = open_branches(app)
        borrowers = register_borrowers(app, loans // LOANS_PER_BORROWER, branches)
        catch_up(runtime)
        per_day = loans // DISBURSEMENT_DAYS
        for day_number in range(DISBURSEMENT_DAYS):
            day = OPENING + timedelta(days=day_number)
            first = day_number * per_day
            for start in range(first, first + per_day, BATCH):
                numbers = range(start, min(start + BATCH, first + per_day))
                app.save_all(*(disbursed(n, day, borrowers, products) for n in numbers))
            catch_up(runtime)
            steps = runtime.close_of_business_steps()
            close_of_business(app, CloseOfBusiness(ADMIN, day + timedelta(days=1), steps))
            log.info(
                "seed: %s loans disbursed by %s, %.0f s", first + per_day, day,
                time.perf_counter() - began,
            )  # fmt: skip
        catch_up(runtime)
        # The month end of 28 February waits on the read models it asks: follow the store.
        runtime.projections.patience = 600.0  # a busy machine takes a page slowly
        runtime.projections.start()
        steps = runtime.close_of_business_steps()
        close_of_business(app, CloseOfBusiness(ADMIN, BUSINESS_DATE, steps))
        head = runtime.projections.head()
        runtime.projections.wait(head)
        runtime.projections.stop()
        assert runtime.projections.caught_up(head)
    finally:
        runtime.close()


def define(app: LendingApplication, code: str, term: int) -> LoanProduct:
    terms = ProductTerms(
        name=f"Benchmark {term}-month loan", currency="CNY",
        min_principal=Decimal("1000"), max_principal=Decimal("100000"),
        min_term=term, max_term=term, frequencies=(Frequency.MONTHLY,),
        methods=(Method.EQUAL_INSTALLMENTS,), min_rate_percent=Decimal("6"),
        max_rate_percent=Decimal("24"), penalty_rate_percent=Decimal("0.05"),
        late_fee=Decimal("50"),
    )  # fmt: skip
    written = define_product(app, DefineProduct(ADMIN, code, terms))
    return app.load(LoanProduct, written.id, "product")


def open_branches(app: LendingApplication) -> dict[str, UUID]:
    """A branch of the head office in each region: region -> office id."""
    head = head_office(app, ADMIN).id
    return {
        region: open_office(app, OpenOffice(ADMIN, f"{region} branch", head)).id
        for region in REGIONS
    }


def register_borrowers(
    app: LendingApplication, count: int, branches: dict[str, UUID]
) -> list[Borrower]:
    """`count` individuals, each with their own resident id and phone, region by region,
    each registered in their region's branch."""
    borrowers = []
    for start in range(0, count, BATCH * 2):
        batch: list[Borrower | Claim] = []
        for n in range(start, min(count, start + BATCH * 2)):
            region, area = list(REGIONS.items())[n % len(REGIONS)]
            body = f"{area}{date(1970, 1, 1) + timedelta(days=n // 1000):%Y%m%d}{n % 1000:03d}"
            number = normalize_id_number(
                BorrowerKind.INDIVIDUAL, body + resident_id_check_character(body)
            )
            profile = Profile(
                name=f"Borrower {n}", phone=normalize_phone(f"139{n:08d}"),
                address=f"{n} Bench Road", region=region, monthly_income=Decimal("9000.00"),
            )  # fmt: skip
            borrower = Borrower.register(
                actor=OFFICER, kind=BorrowerKind.INDIVIDUAL, id_number=number, profile=profile,
                phone_digest=phone_digest(app, profile.phone), office=branches[region],
            )  # fmt: skip
            claim_id = app.claim_id("id_number", number)
            batch += [borrower, Claim.make(claim_id=claim_id, owner_id=borrower.id, actor=OFFICER)]
            borrowers.append(borrower)
        app.save_all(*batch)
    return borrowers


def disbursed(n: int, day: date, borrowers: list[Borrower], products: list[LoanProduct]) -> Loan:
    """Loan `n`, disbursed on `day`: its product, principal and borrower vary with n."""
    borrower = borrowers[n % len(borrowers)]
    product = products[n % len(products)]
    application = LoanRequest(
        borrower_id=borrower.id, borrower_kind=borrower.kind.value,
        region=borrower.profile.region, officer=f"officer.{n % 40}", product_id=product.id,
        product_code=product.code, minor_unit=product.minor_unit, product=product.terms,
        office=borrower.office,
        principal=Decimal(5000 + 1000 * (n % 20)), term=product.terms.min_term,
        frequency=Frequency.MONTHLY.value, method=Method.EQUAL_INSTALLMENTS.value,
        annual_rate_percent=Decimal("12"), purpose="working capital",
    )  # fmt: skip
    loan = Loan.submit(actor=OFFICER, application=application)
    loan.approve(actor=APPROVER)
    loan.sign(actor=OFFICER, signed_on=day)
    paid_out = Disbursement(value_date=day, account="6222021234567890123", channel="bank",
                            reference=f"BENCH-{n}")  # fmt: skip
    loan.disburse(actor=OFFICER, disbursement=paid_out)
    return loan


def catch_up(runtime: Runtime) -> int:
    """Bring every read model to the store's head, a page of events per transaction.

    The same handlers and tracking rows as the live follower, without a commit and a
    tracking update per event; the read models must stand at one position to begin.
    """
    views = list(runtime.projections.views.values())
    positions = {view.position() for view in views}
    assert len(positions) == 1, f"read models stand at different positions: {positions}"
    after = positions.pop()
    app = runtime.app
    while notifications := app.recorder.select_notifications(
        start=after, limit=PAGE, inclusive_of_start=False
    ):
        events = [(app.mapper.to_domain_event(n), n.id) for n in notifications]
        after = events[-1][1]
        with views[0].datastore.transaction(commit=True) as cursor:
            for event, position in events:
                for view in views:
                    view.handle(event, cursor, position)
            for view in views:
                view.flush(cursor)
                view._insert_tracking(cursor, Tracking(APPLICATION_NAME, after))
    return after
