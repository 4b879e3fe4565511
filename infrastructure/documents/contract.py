# ruff: noqa: RUF001  (documents in Chinese use full-width punctuation)
"""The loan contract as a PDF, in Chinese or English, from `application.contracts`.

The template is code: the clauses below with the recorded figures filled in. The bytes
depend only on the document (pdf.render is invariant), so the copy rendered on request
hashes as the one signed.
"""

from __future__ import annotations

from reportlab.platypus import Flowable

from application.contracts import ContractDocument
from domain.ledger import PenaltyRateBasis
from infrastructure.documents.pdf import gap, money, pairs, paragraph, render, table

LABELS = {
    "zh": {
        "title": "借款合同", "loan": "合同编号（贷款编号）", "lender": "贷款人（甲方）",
        "borrower": "借款人（乙方）", "borrower_id": "借款人编号", "id_number": "证件号码",
        "product": "贷款产品",
        "purpose": "借款用途", "principal": "借款本金", "rate": "名义年利率",
        "apr": "年化利率（APR，含费用）", "ear": "实际年利率", "term": "借款期限",
        "method": "还款方式", "fees": "费用", "deducted": "放款时扣收费用",
        "paid_out": "实际到账金额", "schedule": "还款计划", "penalty": "逾期条款",
        "signed_on": "签署日期", "signatures": "签署", "periods": "期",
        "number": "期次", "due": "还款日", "principal_col": "本金", "interest": "利息",
        "fee": "费用", "total": "应还合计", "balance": "剩余本金", "charge": "收费项目",
        "installment": "期次", "amount": "金额", "at_payout": "放款时",
        "no_fees": "无",
        "penalty_text": "乙方逾期还款的，甲方按逾期本金每{basis}{rate}%计收罚息，"
        "并于宽限期{grace}天届满后每期收取逾期费{fee}元。",
        "no_penalty": "本合同不计罚息及逾期费。",
        "per_year": "年", "per_day": "日",
        "clause": "甲乙双方经协商一致，订立本合同。还款计划按签署日放款测算；"
        "实际放款日不同的，以放款时记录的还款计划为准。",
        "sign_lender": "甲方（盖章）：", "sign_borrower": "乙方（签字）：",
    },
    "en": {
        "title": "Loan Contract", "loan": "Contract (loan) number", "lender": "Lender",
        "borrower": "Borrower", "borrower_id": "Borrower number",
        "id_number": "Identity number", "product": "Product",
        "purpose": "Purpose", "principal": "Principal", "rate": "Nominal annual rate",
        "apr": "APR (fees included)", "ear": "Effective annual rate", "term": "Term",
        "method": "Repayment method", "fees": "Fees", "deducted": "Fees deducted at payout",
        "paid_out": "Amount paid out", "schedule": "Repayment schedule",
        "penalty": "Late payment", "signed_on": "Date signed", "signatures": "Signatures",
        "periods": "periods", "number": "No.", "due": "Due date",
        "principal_col": "Principal", "interest": "Interest", "fee": "Fee",
        "total": "Total due", "balance": "Principal after", "charge": "Charge",
        "installment": "Installment", "amount": "Amount", "at_payout": "at payout",
        "no_fees": "none",
        "penalty_text": "On overdue principal the Lender charges penalty interest of "
        "{rate}% a {basis}, and a late fee of {fee} per installment once {grace} days of "
        "grace have passed.",
        "no_penalty": "This contract charges no penalty interest or late fee.",
        "per_year": "year", "per_day": "day",
        "clause": "The parties agree to this contract. The schedule assumes payout on the "
        "date signed; if the loan is paid out on another day, the schedule recorded at "
        "payout governs.",
        "sign_lender": "For the Lender:", "sign_borrower": "The Borrower:",
    },
}  # fmt: skip


# How the contract names the repayment terms (English keeps the API's names).
TERMS_ZH = {
    "weekly": "按周", "fortnightly": "每两周", "monthly": "按月", "quarterly": "按季",
    "equal_installments": "等额本息", "equal_principal": "等额本金",
    "interest_only": "按期付息、到期还本", "bullet": "到期一次还本付息", "flat": "等本等息",
}  # fmt: skip


def _term_name(name: str, language: str) -> str:
    return TERMS_ZH.get(name, name) if language == "zh" else name.replace("_", " ")


class ContractPdf:
    """The renderer signing uses (application.ports.ContractRenderer)."""

    def __init__(self, lender: str) -> None:
        self.lender = lender

    def render(self, document: ContractDocument) -> bytes:
        return render_contract(document)


def render_contract(document: ContractDocument) -> bytes:
    lang = document.language
    words = LABELS[lang]
    terms = document.terms
    currency = document.currency
    story: list[Flowable] = [
        paragraph(words["title"], "title"),
        gap(),
        pairs(
            [
                (words["loan"], str(document.loan_id)),
                (words["lender"], document.lender),
                (words["borrower"], document.borrower_name),
                (words["id_number"], document.borrower_id_number),
                (words["borrower_id"], str(document.borrower_id)),
                (words["product"], document.product_code),
                (words["purpose"], document.purpose),
                (words["principal"], f"{currency} {money(document.principal)}"),
                (words["rate"], f"{document.annual_rate_percent}%"),
                (words["apr"], f"{terms.apr}%"),
                (words["ear"], f"{terms.effective_annual_rate}%"),
                (
                    words["term"],
                    f"{document.term} {words['periods']} ({_term_name(document.frequency, lang)})",
                ),
                (words["method"], _term_name(document.method, lang)),
                (words["deducted"], f"{currency} {money(terms.fees_deducted)}"),
                (words["paid_out"], f"{currency} {money(terms.paid_out)}"),
                (words["signed_on"], document.signed_on.isoformat()),
            ]
        ),
        paragraph(words["clause"]),
        paragraph(words["fees"], "heading"),
    ]
    if terms.fees:
        story.append(
            table(
                (words["charge"], words["installment"], words["amount"]),
                [
                    (line.code, str(line.installment or words["at_payout"]), money(line.amount))
                    for line in terms.fees
                ],
            )
        )
    else:
        story.append(paragraph(words["no_fees"]))
    story += [paragraph(words["penalty"], "heading"), paragraph(_penalty(document, words))]
    story += [paragraph(words["schedule"], "heading"), _schedule(document, words)]
    story += [
        paragraph(words["signatures"], "heading"),
        pairs(
            [
                (words["sign_lender"], document.lender),
                (words["sign_borrower"], document.borrower_name),
                (words["signed_on"], document.signed_on.isoformat()),
            ]
        ),
    ]
    return render(f"{words['title']} {document.loan_id}", story)


def _penalty(document: ContractDocument, words: dict[str, str]) -> str:
    penalties = document.terms.books.penalties
    if penalties is None:
        return words["no_penalty"]
    daily = penalties.rate_basis is PenaltyRateBasis.DAILY
    basis = words["per_day"] if daily else words["per_year"]
    return words["penalty_text"].format(
        rate=penalties.annual_rate_percent,
        basis=basis,
        grace=penalties.grace_days,
        fee=money(penalties.late_fee),
    )


def _schedule(document: ContractDocument, words: dict[str, str]) -> Flowable:
    header = (words["number"], words["due"], words["principal_col"], words["interest"],
              words["fee"], words["total"], words["balance"])  # fmt: skip
    rows = [
        (str(i.number), i.due_date.isoformat(), money(i.principal), money(i.interest),
         money(i.fee), money(i.total), money(i.balance_after))
        for i in document.terms.books.schedule.installments
    ]  # fmt: skip
    return table(header, rows, numeric_from=2)
