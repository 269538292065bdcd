"""The Excel builders' sheet writing as it was before views/components/xlsx_export.py wrote the body rows in
one pass (9ea2157: cell by cell through XlsxWriter's write_*). Only the two loops that changed are kept; the
cells' values, formats and the 导出说明 sheet come from the module itself. The reference the tests compare the
workbooks with (tests/test_xlsx_bulk.py); no page imports it."""

from __future__ import annotations

import io

import pandas as pd

from views.components.labels import LIGHT_COLORS, STATUS_COLORS
from views.components.xlsx_export import COLUMNS, ExportInfo, _cell, _notes, _workbook, ledger_values


def ledger_xlsx(rows: pd.DataFrame, info: ExportInfo) -> bytes:
    """The workbook as bytes: sheet 整改台账 (rows of queries.ledger_rows) and sheet 导出说明 (info)."""
    buf = io.BytesIO()
    wb = _workbook(buf)
    head = wb.add_format({"bold": True, "bg_color": "#dbe5f1", "border": 1, "text_wrap": True,
                          "valign": "vcenter", "align": "center"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    plain = wb.add_format({"valign": "top"})
    fills = {label: wb.add_format({"bg_color": colour, "font_color": "#ffffff", "bold": True, "valign": "top",
                                   "align": "center"}) for label, colour in STATUS_COLORS.items()}
    lights = {f"{k}灯": wb.add_format({"bg_color": LIGHT_COLORS[k], "font_color": "#ffffff", "bold": True,
                                       "valign": "top", "align": "center"}) for k in LIGHT_COLORS}

    ws = wb.add_worksheet("整改台账")
    for col, (title, width, wraps) in enumerate(COLUMNS):
        ws.set_column(col, col, width, wrap if wraps else plain)
        ws.write_string(0, col, title, head)
    ws.set_row(0, 24)
    values = ledger_values(rows)
    status_col = [c[0] for c in COLUMNS].index("完成情况")
    light_col = [c[0] for c in COLUMNS].index("预警")
    for n, line in enumerate(values, start=1):
        for col, value in enumerate(line):
            if isinstance(value, int):
                ws.write_number(n, col, value)
                continue
            if not value:
                continue  # a blank cell, not an empty string (Excel's filters list it as 空白)
            fmt = fills.get(value) if col == status_col else lights.get(value) if col == light_col else None
            ws.write_string(n, col, _cell(value), fmt) if fmt else ws.write_string(n, col, _cell(value))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(1, len(values)), len(COLUMNS) - 1)
    _notes(wb, info, head, wrap)
    wb.close()
    return buf.getvalue()


def table_xlsx(table: pd.DataFrame, sheet: str, info: ExportInfo) -> bytes:
    """Any table (e.g. the unit ranking) as a sheet with a frozen header and filters, plus 导出说明."""
    buf = io.BytesIO()
    wb = _workbook(buf)
    head = wb.add_format({"bold": True, "bg_color": "#dbe5f1", "border": 1, "text_wrap": True,
                          "valign": "vcenter", "align": "center"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    ws = wb.add_worksheet(sheet)
    for col, title in enumerate(table.columns):
        ws.write_string(0, col, str(title), head)
        ws.set_column(col, col, 16 if col < 4 else 11)
    for n, row in enumerate(table.itertuples(index=False), start=1):
        for col, value in enumerate(row):
            if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(n, col, float(value))
            else:
                ws.write_string(n, col, _cell(value))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(1, len(table)), max(0, len(table.columns) - 1))
    _notes(wb, info, head, wrap)
    wb.close()
    return buf.getvalue()
