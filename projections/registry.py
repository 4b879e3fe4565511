"""Every read model the service keeps, by name."""

from __future__ import annotations

from projections.base import ReadModel
from projections.borrowers import BorrowersView

READ_MODELS: dict[str, type[ReadModel]] = {view.name: view for view in (BorrowersView,)}
