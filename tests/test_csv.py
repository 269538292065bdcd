"""Pure page helpers: CSV export (formulas, BOM, file names), upload checks, the stated-vs-parsed table."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from conftest import EXPECTED_SUFFIX, SAMPLES_DIR, load_expectation, sample_path

from views.components.csv_export import csv_filename, neutralise, safe_filename_part, to_csv_bytes
from views.components.imports import ImportProblem, check_upload, parse_upload, safe_upload_path

SAMPLES = SAMPLES_DIR  # the older name, kept for tests that use it


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("\0x", "'\0x"),
        ("完成", "完成"),
        ("1=1", "1=1"),  # only the first character matters
        ("", ""),
        (" =x", " =x"),
    ],
)
def test_neutralise_text(cell: str, expected: str) -> None:
    assert neutralise(cell) == expected


@pytest.mark.parametrize("value", [-5, -0.5, 3, None])
def test_neutralise_leaves_non_text_alone(value: object) -> None:
    assert neutralise(value) == value


def _read(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_bytes_bom_text_only_and_dates() -> None:
    df = pd.DataFrame(
        {
            "问题": ["=1+1", "多行\n文本", "-负号开头"],
            "数值": [-5, 0, 7],
            "文字数字": ["-5", "5", "@x"],
            "日期": pd.to_datetime(["2024-07-31", None, "2020-12-31"]),
        }
    )
    data = to_csv_bytes(df)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8 Chinese
    rows = _read(data)
    assert rows[0] == ["问题", "数值", "文字数字", "日期"]
    assert len(rows) == 4
    assert [r[0] for r in rows[1:]] == ["'=1+1", "多行\n文本", "'-负号开头"]
    assert [r[1] for r in rows[1:]] == ["-5", "0", "7"]  # a negative number is not a formula
    assert [r[2] for r in rows[1:]] == ["'-5", "5", "'@x"]  # but the same characters as text are neutralised
    assert [r[3] for r in rows[1:]] == ["2024-07-31", "", "2020-12-31"]
    assert df.loc[0, "问题"] == "=1+1"  # the caller's frame is not modified


def test_csv_of_pandas_string_dtype() -> None:
    df = pd.DataFrame({"a": pd.array(["=x", None, "y"], dtype="string")})
    assert [r[0] for r in _read(to_csv_bytes(df))[1:]] == ["'=x", "", "y"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("湖州市吴兴区", "湖州市吴兴区"),
        ("../../etc/passwd", "etc_passwd"),
        ('a<b>c:d"e|f?g*h', "a_b_c_d_e_f_g_h"),
        ("x\x00y\nz", "x_y_z"),
        ("...", "全部"),
        ("", "全部"),
    ],
)
def test_safe_filename_part(text: str, expected: str) -> None:
    assert safe_filename_part(text) == expected


def test_csv_filename_has_date_and_filter() -> None:
    name = csv_filename("问题清单", dt.date(2026, 11, 21), "湖州市吴兴区")
    assert name == "问题清单_2026-11-21_湖州市吴兴区.csv"
    evil = csv_filename("问题清单", dt.date(2026, 11, 21), "../a/b\\c")
    assert "/" not in evil and "\\" not in evil and evil.endswith(".csv")


def test_upload_path_unknown_suffix(tmp_path: Path) -> None:
    assert safe_upload_path(tmp_path, "x.exe", "0" * 64).suffix == ".bin"


@pytest.mark.parametrize("prefix", ["000", "001", "004"])
def test_an_uploaded_sample_passes_the_checks_and_parses_to_its_issues(prefix: str) -> None:
    sample = sample_path(prefix)
    expected = load_expectation(sample.parent / (sample.stem + EXPECTED_SUFFIX))["reports"]
    parsed = parse_upload(sample.name, sample.read_bytes(), limit_mb=20)  # check_upload first, then parse
    assert [len(r.issues) for r in parsed.reports] == [e["issues"] for e in expected]
    assert parsed.name == sample.name and parsed.data == sample.read_bytes()


@pytest.mark.parametrize(
    ("name", "data", "limit", "reason"),
    [
        ("big.txt", b"x" * (2 * 2**20 + 1), 2, "超过"),
        ("empty.txt", b"  \n", 20, "空"),
        ("fake.pdf", "不是PDF".encode(), 20, "不是 PDF"),
        ("fake.docx", b"plain text", 20, "不是 Word"),
        ("script.exe", b"MZ", 20, "不支持"),
    ],
)
def test_check_upload_refuses(name: str, data: bytes, limit: float, reason: str) -> None:
    with pytest.raises(ImportProblem, match=reason):
        check_upload(name, data, limit_mb=limit)


def test_stated_vs_parsed_puts_the_largest_gap_first() -> None:
    from views.components.derive import stated_vs_parsed
    from views.components.labels import STATED_LABELS

    stated = {f"stated_{key}": [None, None, None] for key in STATED_LABELS}
    stated["stated_issues"] = [10.0, None, None]
    stated["stated_measures"] = [None, None, 25.0]
    counts = pd.DataFrame(
        {
            "report_key": ["a", "b", "c"],
            "unit": ["甲", "乙", "丙"],
            "part": ["main"] * 3,
            "published_on": pd.to_datetime(["2024-01-01", None, "2024-03-01"]),
            **stated,
            "issues": [9, 5, 4],
            "measures": [30, 20, 10],
            "categories": [2, 0, 1],
            "warnings": [1, 0, 0],
        }
    )
    out = stated_vs_parsed(counts)
    assert out["unit"].tolist() == ["丙", "甲", "乙"]  # |10-25| = 15 > |9-10| = 1 > nothing stated
    assert out.loc[0, "整改措施差异"] == "-15" and out.loc[1, "问题差异"] == "-1"
    assert out.loc[2, "声明问题"] == "" and "published_on" in out.columns
    assert "声明大类" not in out.columns  # nobody states it: no empty column
