# ruff: noqa: RUF001  (documents in Chinese use full-width punctuation)
"""The statement of account as PDF and CSV, and a repayment's receipt as PDF, from
`application.statements` (Chinese labels with English, one document for both readers)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from reportlab.platypus import Flowable

from application.statements import RepaymentReceipt, Statement, StatementLine
from domain.ledger import ComponentAmounts
from infrastructure.documents.pdf import gap, money, pairs, paragraph, render, table

COMPONENTS = ("principal", "interest", "fee", "penalty")
KIND_NAMES = {
    "disbursement": "放款 disbursement", "payment": "还款 payment", "reversal": "冲正 reversal",
    "penalty": "罚息/逾期费 penalty", "charge": "收费 charge", "waiver": "减免 waiver",
    "write_off": "核销 write-off", "reschedule": "重组 reschedule", "refund": "退款 refund",
}  # fmt: skip
CSV_COLUMNS = (
    "posting_date", "value_date", "kind", "reference", "amount",
    *(f"change_{c}" for c in COMPONENTS), *(f"paid_{c}" for c in COMPONENTS),
    *(f"balance_{c}" for c in COMPONENTS), "balance_total", "credit",
)  # fmt: skip


def _parts(amounts: ComponentAmounts) -> list[str]:
    return [str(getattr(amounts, c)) for c in COMPONENTS]


def statement_csv(statement: Statement) -> str:
    """One row per line, between an `opening` row and a `closing` row (kind column);
    amounts as plain decimal strings, dates ISO."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    start = statement.start.isoformat() if statement.start else ""
    end = statement.end.isoformat() if statement.end else ""
    blank = ["" for _ in range(8)]
    writer.writerow([start, "", "opening", "", "", *blank, *_parts(statement.opening),
                     str(statement.opening.total), str(statement.opening_credit)])  # fmt: skip
    writer.writerows(_row(line) for line in statement.lines)
    writer.writerow([end, "", "closing", "", "", *blank, *_parts(statement.closing),
                     str(statement.closing.total), str(statement.closing_credit)])  # fmt: skip
    return output.getvalue()


def _row(line: StatementLine) -> list[str]:
    return [
        line.posting_date.isoformat(), line.value_date.isoformat(), line.kind, line.reference,
        str(line.amount), *_parts(line.change), *_parts(line.paid), *_parts(line.balance),
        str(line.balance.total), str(line.credit),
    ]  # fmt: skip


def _balance(label: str, amounts: ComponentAmounts, credit: str) -> list[str]:
    return [label, *(money(getattr(amounts, c)) for c in COMPONENTS), money(amounts.total),
            credit]  # fmt: skip


def statement_pdf(statement: Statement) -> bytes:
    currency = statement.currency
    period = (
        f"{statement.start.isoformat() if statement.start else '—'} ~ "
        f"{statement.end.isoformat() if statement.end else '—'}"
    )
    story: list[Flowable] = [
        paragraph("贷款对账单 Statement of account", "title"),
        gap(),
        pairs(
            [
                ("贷款编号 Loan", str(statement.loan_id)),
                ("借款人 Borrower", statement.borrower_name),
                ("本金 Principal", f"{currency} {money(statement.principal)}"),
                ("年利率 Annual rate", f"{statement.annual_rate_percent}%"),
                ("期间 Period", period),
            ]
        ),
        paragraph("余额 Balances", "heading"),
        table(
            (
                "",
                "本金 principal",
                "利息 interest",
                "费用 fee",
                "罚息 penalty",
                "合计 total",
                "溢缴 credit",
            ),
            [
                _balance("期初 opening", statement.opening, money(statement.opening_credit)),
                _balance("期末 closing", statement.closing, money(statement.closing_credit)),
            ],
        ),
        paragraph("交易明细 Transactions", "heading"),
        table(
            (
                "记账日 posted",
                "起息日 value",
                "类型 kind",
                "金额 amount",
                "本金 principal",
                "利息 interest",
                "费用 fee",
                "罚息 penalty",
                "余额 balance",
            ),
            list(_lines(statement.lines)),
            numeric_from=3,
        ),
        paragraph(
            "每笔交易下列示还款分配（本金/利息/费用/罚息）；余额为交易后未还合计。"
            " Under each payment: its allocation by component; balance is what is owed after."
        ),
    ]
    return render(f"Statement {statement.loan_id}", story)


def _lines(lines: Iterable[StatementLine]) -> Iterable[list[str]]:
    for line in lines:
        yield [
            line.posting_date.isoformat(), line.value_date.isoformat(), KIND_NAMES[line.kind],
            money(line.amount), *(money(getattr(line.change, c)) for c in COMPONENTS),
            money(line.balance.total),
        ]  # fmt: skip
        if line.paid.total:
            yield ["", "", "  分配 allocation", "",
                   *(money(getattr(line.paid, c)) for c in COMPONENTS), ""]  # fmt: skip


def receipt_pdf(receipt: RepaymentReceipt) -> bytes:
    currency = receipt.currency
    rows = [
        ("收据编号 Receipt", str(receipt.repayment_id)),
        ("贷款编号 Loan", str(receipt.loan_id)),
        ("借款人 Borrower", receipt.borrower_name),
        ("金额 Amount", f"{currency} {money(receipt.amount)}"),
        ("起息日 Value date", receipt.value_date.isoformat()),
        ("渠道 Channel", receipt.channel),
        ("参考号 Reference", receipt.external_reference),
        ("付款人 Payer", receipt.payer or "—"),
        ("状态 Status", {"received": "已收 received", "reversed": "已冲正 reversed"}.get(
            receipt.status, receipt.status)),
    ]  # fmt: skip
    story: list[Flowable] = [paragraph("还款收据 Repayment receipt", "title"), gap(), pairs(rows)]
    if receipt.allocated is not None:
        allocated = receipt.allocated
        story += [
            paragraph("分配 Allocation", "heading"),
            table(
                ("本金 principal", "利息 interest", "费用 fee", "罚息 penalty", "溢缴 credit"),
                [
                    [
                        *(money(getattr(allocated, c)) for c in COMPONENTS),
                        money(receipt.credit or Decimal(0)),
                    ]
                ],
                numeric_from=0,
            ),
        ]
    return render(f"Receipt {receipt.repayment_id}", story)
