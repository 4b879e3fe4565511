"""What every PDF document shares: the font, the styles, tables, and byte-stable output.

Chinese renders with ReportLab's built-in CID font STSong-Light (Adobe-GB1): the PDF
references it by name and every reader supplies it, so no font file ships with the
project. The same font sets the Latin text, so one document reads the same in either
language. Output is `invariant`: no creation time and a document id derived from the
content, so the same document gives the same bytes, which is what a contract's
recorded SHA-256 checks.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from functools import cache

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.doctemplate import LayoutError

FONT = "STSong-Light"
CREATOR = "lending-core"


class DocumentTooLarge(Exception):
    """A table cell did not fit the page."""


@cache
def font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


@cache
def styles() -> dict[str, ParagraphStyle]:
    name = font()
    return {
        "title": ParagraphStyle("title", fontName=name, fontSize=16, leading=22, alignment=1),
        "heading": ParagraphStyle("heading", fontName=name, fontSize=11, leading=16,
                                  spaceBefore=6, spaceAfter=2),
        "body": ParagraphStyle("body", fontName=name, fontSize=9, leading=13),
    }  # fmt: skip


def money(amount: Decimal) -> str:
    """An amount with thousands separators, as it was recorded: 12,000.00."""
    return f"{amount:,}"


def paragraph(text: str, style: str = "body") -> Paragraph:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(escaped, styles()[style])


def table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric_from: int = 1) -> Table:
    """A grid with a repeated header row; columns from `numeric_from` align right."""
    grid = Table([list(header), *[list(r) for r in rows]], repeatRows=1)
    grid.setStyle(
        TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), font()),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("ALIGN", (numeric_from, 1), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ])
    )  # fmt: skip
    return grid


def pairs(items: Sequence[tuple[str, str]]) -> Table:
    """Label and value, two columns, no header."""
    grid = Table([list(item) for item in items], colWidths=[45 * mm, None], hAlign="LEFT")
    grid.setStyle(
        TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), font()),
            ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
        ])
    )  # fmt: skip
    return grid


def gap(height: float = 4) -> Spacer:
    return Spacer(1, height * mm)


def render(title: str, story: list[Flowable], pagesize: tuple[float, float] = A4) -> bytes:
    """The flowables as an A4 PDF (or `pagesize`), the same bytes for the same content."""
    output = io.BytesIO()
    document = SimpleDocTemplate(
        output,
        pagesize=pagesize,
        title=title,
        author=CREATOR,
        creator=CREATOR,
        invariant=1,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    try:
        document.build(story)
    except LayoutError as error:
        raise DocumentTooLarge(str(error)) from None
    return output.getvalue()
