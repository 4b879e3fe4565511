"""The loan ledger: a pure, deterministic allocation of payments to a loan's schedule.

API
---
``allocate(terms, schedule, payments, charges=(), order=DEFAULT_ORDER, written_off_on=None,
traversal=Traversal.HORIZONTAL, penalties=None, until=None,
advance_payment=AdvancePayment.NEXT_INSTALLMENTS, *, waivers=(), refunds=(), recast_charges=())
-> LedgerState``
    Applies every payment, waiver and refund in (value_date, sequence, id) order, whatever
    the order given (callers number all three from one sequence). ``schedule`` is the
    schedule recorded at disbursement; recasts are recomputed from the payments. A
    reversed payment is simply left out: recompute, then record a new allocation for each
    payment whose result changed (``changed_results(before, after)``), and likewise each
    waiver whose result changed.
``fold(terms, schedule, payments, charges=(), order=DEFAULT_ORDER, traversal=..., penalties=None,
advance_payment=..., *, waivers=(), refunds=(), recast_charges=()) -> Fold``
    The same fold for a loan not written off, kept after its last entry:
    ``Fold.then(payment)`` takes a payment dated after everything taken (None when the
    full fold would not take it last), and ``Fold.state(until)`` is what ``allocate``
    with ``until`` gives. The fold itself never changes.
``payoff_amount(terms, schedule, payments, charges=(), order=DEFAULT_ORDER, *, on,
written_off_on=None, traversal=Traversal.HORIZONTAL, penalties=None,
advance_payment=AdvancePayment.NEXT_INSTALLMENTS, waivers=(), refunds=(), recast_charges=())
-> Decimal``
    What a payment dated ``on`` must be to close the loan (payments, waivers, refunds and
    charges dated after ``on`` are ignored).

Bad input raises ``domain.errors.InvalidValue`` (duplicate ids, non-positive amounts or
more decimals than the minor unit, an order that is not a permutation of the four
components, an unknown ``advance_payment``, a schedule that does not fit the terms, a
waiver of principal). All amounts
are ``Decimal`` quantized to the terms' minor unit; a payment's allocations plus its
credit always equal its amount. For every component, what was charged (the installments'
``due``) = ``paid`` + ``waived`` + ``outstanding``.

Inputs
------
Charges. Fees and penalties come in as ``Charge``: each is added to its installment (the
last one when a recast removed it) on its value date, and is due from then.

Schedule fees. An installment's ``fee`` on the schedule is a charge due on the
installment's due date (id ``fee:<number>``): it is part of the installment from that
day, as its principal and interest are due from that day. It is dropped, like the
interest of periods not yet run, when a payoff or a write-off closes the schedule before
its due date; a recast keeps each remaining installment's fee by its number and drops the
fees of the installments it removes, except the part of it that ``recast_charges`` (the
product's ``installment`` charges that are a percentage of a basis, ``domain.charges``)
come to: that part is worked out again on each installment the recast makes, by the
terms' rounding, on what the installment still owes of principal and interest and the
principal owed before it (so the first recast installment is charged on the principal
left after the prepayment, not on the principal that was just paid on it). Money paid
ahead pays the principal and interest of the installments not yet due; their fees fall
due with them.

Waivers (``Waiver``: fee, penalty or interest). At its place in the order, after the
days up to its value date have charged what they charge, a waiver forgives what is due
and unpaid of its component: on its installment, or installment by installment, oldest
first. Interest is due with its installment (interest of installments not yet due is not
waived); fees and penalties from their charge's value date. It forgives at most its
amount, and less when less was outstanding then: a backdated payment that paid what it
forgave leaves the waiver with less to do, never a negative balance. The
``WaiverResult`` says what it forgave where; ``waived`` sums them.

Refunds (``Refund``). Credit paid back to the borrower on its value date; ``credit`` is
what payments left over less what was refunded. A refund larger than the credit at its
place in the order raises ``domain.errors.Conflict``: money paid out cannot be taken back
by recomputing, so the change that would leave it unfunded (the reversal of the payment
that made the credit, say) is refused.

Rules
-----
Traversal. A payment first pays everything due on or before its value date: the
installments due by then, and every charge whose value date has come (a charge counts as
due from its value date, whichever installment it is attached to). ``HORIZONTAL``
(the default) goes installment by installment, oldest first, and within an installment by
``order``. It cures the oldest arrears first, so each payment lowers days past due and the
arrears bucket as far as it can, which is what "oldest installment first" in the product
rules asks for. ``VERTICAL`` pays one component across all due installments before the
next component (all penalties, then all fees, ...), for products that recover income
first. Money paid ahead of due dates always goes installment by installment.

Paying ahead. A payment never collects interest that has not accrued by its value date:
after a payment of X <= ``payoff_amount(on=d)`` dated d, ``payoff_amount(on=d)`` is
exactly X less. So what is left once everything due is paid (and the payment does not
close the loan, below) first pays the interest of the current period accrued to the
value date (always before principal, whatever ``order`` says), and the rest is
principal, applied as ``advance_payment`` says:

- ``NEXT_INSTALLMENTS`` (the default): the principal of the installments not yet due,
  oldest first. The schedule's due dates and amounts stand: each installment still owes
  its interest when it falls due (an installment paid early in its exact amount leaves
  the interest of the days still to run owing on its due date);
- ``RECAST_INSTALLMENT`` / ``RECAST_TERM``: a principal prepayment that recasts the rest
  of the schedule, exactly as a payment flagged ``reduce_installment`` / ``reduce_term``
  (below).

A payment's own prepayment flag comes before the product's ``advance_payment``.
Anything beyond the whole debt is an explicit ``credit`` (never a negative balance);
credit is never applied to later charges by itself.

Closing (payoff). ``payoff_amount(on)`` = everything due by ``on`` (installments and
charges) + all principal still owed + the interest of the current period accrued to
``on``. Interest of later periods is not owed. A payment that covers it, flagged or not,
closes the loan: the installments not yet due are folded into the current one, owing the
accrued interest and all the principal; the rest of the payment is credit. The folded
schedule is the payment's ``schedule_after``. So a payment of exactly
``payoff_amount(value_date)`` leaves nothing outstanding and no credit.

Accrued interest. Within an installment, interest accrues in a straight line from the
previous due date (the start date for the first) to its due date, by the contract's day
count: scheduled interest x elapsed days / period days. Whatever was already paid on the
installment counts against it. The schedule's interest is what is owed for each period;
overdue principal earns no extra interest here (penalty interest arrives as charges).

Prepayment (``reduce_term`` / ``reduce_installment``, a payment's flag or the product's
``advance_payment``). After what is due, the payment pays the current period's accrued
interest (so the recast starts clean at the value date), then the rest reduces
principal; that principal is allocated to the current installment, which still falls
due (recast). The unpaid rest of the schedule is then recast with ``generate_schedule``
on the contract's terms, the principal still owed, from the current installment's
period start, keeping the contract's due dates:

- ``reduce_installment`` keeps the number of remaining installments and lowers each;
- ``reduce_term`` keeps the installment: the fewest remaining periods whose regular
  installment (the first that repays principal) is no larger than the one the borrower
  would pay without the prepayment (the same recast at the balance before it);
- interest-only and bullet loans repay principal at maturity, so there is no installment
  to keep and ``reduce_term`` recasts like ``reduce_installment``;
- the first recast installment's interest is cut to the days left after the value date
  (generate_schedule charges it for the whole period); its principal is as generated;
- amounts already paid on the replaced installments stay paid: they are carried onto the
  current installment as due and paid (interest paid on them is only ever interest that
  had accrued, so nothing paid is unearned after the recast);
- charges keep their installment number, or move to the last installment when theirs is
  gone. Allocation numbers refer to the schedule as it stood after that payment.

Late fees and penalty interest (``penalties: PenaltyTerms``). Charged by the fold itself
as the days pass (see ``domain.ledger.penalties``): a late fee once per installment still
unpaid after the grace days, penalty interest on overdue principal crystallised at month
ends, at each payment's value date, at a write-off and in a payoff quote. ``state.charges``
lists what was charged up to ``until``; a backdated payment or a reversal simply yields
another list, so the caller records the difference.

Write-off. On ``written_off_on`` (after the payments dated that day) the schedule is
closed as a payoff would close it: current interest accrued to that date, later interest
dropped, every installment due. What is then owed is ``written_off``. Later payments are
recoveries: they pay that debt oldest first in ``order`` (no paying ahead, no recast) and
show in ``recovered``; ``outstanding`` is what is still unrecovered.
"""

from domain.ledger.engine import allocate, changed_results, payoff_amount
from domain.ledger.folding import Fold, fold
from domain.ledger.model import (
    DEFAULT_ORDER,
    WAIVABLE,
    AdvancePayment,
    Allocation,
    Charge,
    Component,
    ComponentAmounts,
    InstallmentState,
    LedgerState,
    Payment,
    PaymentResult,
    Prepayment,
    Refund,
    Traversal,
    Waiver,
    WaiverResult,
)
from domain.ledger.penalties import PenaltyRateBasis, PenaltyTerms, late_fee_id, penalty_id

__all__ = [
    "DEFAULT_ORDER",
    "WAIVABLE",
    "AdvancePayment",
    "Allocation",
    "Charge",
    "Component",
    "ComponentAmounts",
    "Fold",
    "InstallmentState",
    "LedgerState",
    "Payment",
    "PaymentResult",
    "PenaltyRateBasis",
    "PenaltyTerms",
    "Prepayment",
    "Refund",
    "Traversal",
    "Waiver",
    "WaiverResult",
    "allocate",
    "changed_results",
    "fold",
    "late_fee_id",
    "payoff_amount",
    "penalty_id",
]
