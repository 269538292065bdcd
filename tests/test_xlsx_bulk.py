"""The workbooks whose body rows are written in one pass (views/components/xlsx_export._BulkSheet) hold the
very cells of the cell-by-cell builders they replace (tests/xlsx_reference.py, the code of 9ea2157): every
value with its type, every cell's fill, font, wrapping and alignment, the widths, the frozen header and the
filter, read back with openpyxl — on the sample database's ledger and ranking, and on rows made to hold
formulas, blanks, NaN, bools and over-long text."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

import queries
from tests import xlsx_reference as reference
from views.components import xlsx_export
from views.components.labels import MONEY_FIGURES, PEOPLE_FIGURES
from views.components.ledger import export_info, score_frame

INFO = xlsx_export.ExportInfo((("导出内容", "测试"), ("筛选", "=bad()")))


def workbook_cells(data: bytes) -> dict[str, Any]:
    """Everything a reader sees of each sheet, comparable with ==."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    out: dict[str, Any] = {}
    for ws in wb.worksheets:
        cells = [(c.coordinate, c.value, c.data_type, c.fill.fgColor.rgb, c.font.b, c.font.color.rgb
                  if c.font.color else None, c.alignment.wrap_text, c.alignment.vertical,
                  c.alignment.horizontal, c.border.left.style)
                 for row in ws.iter_rows() for c in row]
        widths = {k: d.width for k, d in ws.column_dimensions.items()}
        out[ws.title] = (cells, widths, ws.freeze_panes, ws.auto_filter.ref, ws.dimensions,
                         ws.row_dimensions[1].height)
    return out


def test_the_ledger_and_the_ranking_hold_the_cells_the_cell_by_cell_builder_wrote(sample_db: Path) -> None:
    everything = queries.Filters()
    one_unit = dataclasses.replace(everything, units=(queries.report_options(sample_db)["unit"].iloc[0],))
    for f in (everything, one_unit):
        rows = queries.ledger_rows(sample_db, f)
        assert len(rows) > 0
        info = export_info(f, "", rows, sample_db, "整改台账")
        got = workbook_cells(xlsx_export.ledger_xlsx(rows, info))
        assert got == workbook_cells(reference.ledger_xlsx(rows, info))
        assert len(got["整改台账"][0]) == (len(rows) + 1) * len(xlsx_export.COLUMNS)
    kinds = (tuple(PEOPLE_FIGURES), tuple(MONEY_FIGURES))
    scores = score_frame(queries.unit_scores(sample_db, everything, *kinds))
    assert len(scores) > 1
    got = workbook_cells(xlsx_export.table_xlsx(scores, "单位评分", INFO))
    assert got == workbook_cells(reference.table_xlsx(scores, "单位评分", INFO))


def test_blanks_nan_bools_formulas_and_long_text_are_written_as_before() -> None:
    table = pd.DataFrame({
        "单位": ["=cmd|' /C calc'!A0", None, "乙", "丙"], "问题": [1, 2, 3, 4],
        "率": [0.5, float("nan"), 1e-20, 123456789.125], "旗": [True, False, None, True],
        "文": pd.array(["x" * 40_000, pd.NA, "", "@SUM(1)"], dtype="string"),
    })
    got = workbook_cells(xlsx_export.table_xlsx(table, "表", INFO))
    assert got == workbook_cells(reference.table_xlsx(table, "表", INFO))
    ledger = pd.DataFrame([{
        "unit": "=cmd", "category": "", "title": "题", "measures_text": "+1+1" * 9000, "owner": None,
        "deadlines": None, "first_due": pd.Timestamp("2024-12-31"), "light": "红", "status": "未完成",
        "parsed_status": "完成", "source": "override", "evidence": "", "override_author": "张三",
        "override_note": None, "override_at": pd.Timestamp("2024-05-01"), "issue_key": "abc",
    }, {
        "unit": "甲", "category": "c", "title": "t", "measures_text": "", "owner": "局", "deadlines": "年底",
        "first_due": None, "light": None, "status": "完成", "parsed_status": "完成", "source": "parsed",
        "evidence": "已完成", "override_author": None, "override_note": None, "override_at": None,
        "issue_key": "def",
    }])
    got = workbook_cells(xlsx_export.ledger_xlsx(ledger, INFO))
    assert got == workbook_cells(reference.ledger_xlsx(ledger, INFO))
    assert got["整改台账"][0][len(xlsx_export.COLUMNS) + 8][3] not in (None, "00000000")  # the status fill


def test_an_empty_ledger_is_a_header_and_its_notes() -> None:
    columns = ["unit", "category", "title", "measures_text", "status", "source", "issue_key"]
    empty = pd.DataFrame(columns=columns)
    got = workbook_cells(xlsx_export.ledger_xlsx(empty, INFO))
    assert got == workbook_cells(reference.ledger_xlsx(empty, INFO))
