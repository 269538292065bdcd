"""Shared dashboard parts: sidebar filters, cached data access, chart builders, CSV export, UI helpers."""
