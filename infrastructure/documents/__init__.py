"""Documents as files: contracts, statements and receipts (PDF with ReportLab, CSV)."""
