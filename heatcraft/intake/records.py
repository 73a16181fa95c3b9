"""Read tabular input files (CSV, Excel, JSON, XML) into numbered records of text/values.

Every record keeps the row number a person would look for: spreadsheet-style for CSV and Excel
(the header is row 1), and the 1-based position of the record for JSON and XML.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from heatcraft.errors import InputError, InputIssue


@dataclass(frozen=True)
class Record:
    file: str
    row: int
    values: dict[str, Any]


def read_records(path: Path, *, required: Iterable[str], optional: Iterable[str]) -> list[Record]:
    """Records of a table file; missing required or unknown columns are errors."""
    suffix = path.suffix.lower()
    readers = {".csv": _read_csv, ".xlsx": _read_xlsx, ".json": _read_json, ".xml": _read_xml}
    if suffix not in readers:
        raise InputError(
            [
                InputIssue(
                    path.name,
                    None,
                    None,
                    f"unsupported file type {suffix!r}; use .csv, .xlsx, .json or .xml",
                )
            ]
        )
    if not path.exists():
        raise InputError([InputIssue(path.name, None, None, "file not found")])
    columns, records = readers[suffix](path)
    _check_columns(path.name, columns, set(required), set(optional))
    return records


def _check_columns(file: str, columns: list[str], required: set[str], optional: set[str]) -> None:
    issues: list[InputIssue] = []
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            issues.append(InputIssue(file, 1, column, "column appears twice"))
        seen.add(column)
        if column not in required | optional:
            issues.append(
                InputIssue(
                    file,
                    1,
                    column,
                    f"unknown column; allowed: {', '.join(sorted(required | optional))}",
                )
            )
    for column in sorted(required - seen):
        issues.append(InputIssue(file, 1, column, "required column is missing"))
    if issues:
        raise InputError(issues)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return None if value == "" else value
    return value


def _read_csv(path: Path) -> tuple[list[str], list[Record]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise InputError(
                [InputIssue(path.name, 1, None, "file is empty (no header row)")]
            ) from None
        _check_separator(path.name, header)
        records = []
        for row_number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise InputError(
                    [
                        InputIssue(
                            path.name,
                            row_number,
                            None,
                            f"has {len(row)} cells, header has {len(header)}",
                        )
                    ]
                )
            records.append(
                Record(
                    path.name, row_number, {h: _clean(c) for h, c in zip(header, row, strict=True)}
                )
            )
    return header, records


def _check_separator(file: str, header: list[str]) -> None:
    """A spreadsheet set to a comma decimal saves "CSV" with semicolons (or tabs): the whole
    header then reads as one unknown column. Say what happened instead."""
    if len(header) != 1:
        return
    for mark, name in ((";", "semicolons"), ("\t", "tabs")):
        if mark in header[0]:
            raise InputError([InputIssue(
                file, 1, None,
                f"the header is one column with {name} in it: the file is separated by {name}, "
                "not commas; save it as comma-separated CSV (with a point as decimal mark), or "
                "as .xlsx")])


def _read_xlsx(path: Path) -> tuple[list[str], list[Record]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        try:
            header = [str(h).strip() if h is not None else "" for h in next(rows)]
        except StopIteration:
            raise InputError(
                [InputIssue(path.name, 1, None, "sheet is empty (no header row)")]
            ) from None
        while header and header[-1] == "":
            header.pop()
        records = []
        for row_number, row in enumerate(rows, start=2):
            cells = list(row)[: len(header)]
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            cells += [None] * (len(header) - len(cells))
            records.append(
                Record(
                    path.name,
                    row_number,
                    {h: _clean(c) for h, c in zip(header, cells, strict=True)},
                )
            )
    finally:
        workbook.close()
    return header, records


def _read_json(path: Path) -> tuple[list[str], list[Record]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(
            [InputIssue(path.name, exc.lineno, None, f"invalid JSON: {exc.msg}")]
        ) from exc
    if isinstance(data, dict) and len(data) == 1 and isinstance(next(iter(data.values())), list):
        data = next(iter(data.values()))
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise InputError(
            [
                InputIssue(
                    path.name,
                    None,
                    None,
                    "expected a list of objects (or one key holding such a list)",
                )
            ]
        )
    columns: list[str] = []
    for item in data:
        columns.extend(k for k in item if k not in columns)
    records = [
        Record(path.name, i, {k: _clean(v) for k, v in item.items()})
        for i, item in enumerate(data, start=1)
    ]
    return columns, records


def _read_xml(path: Path) -> tuple[list[str], list[Record]]:
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.parse(path).getroot()
    except DefusedXmlException as exc:
        raise InputError([InputIssue(path.name, None, None, f"refused unsafe XML: {exc}")]) from exc
    except ElementTree.ParseError as exc:
        raise InputError(
            [InputIssue(path.name, exc.position[0], None, f"invalid XML: {exc}")]
        ) from exc
    columns: list[str] = []
    records = []
    for i, element in enumerate(list(root), start=1):
        values: dict[str, Any] = dict(element.attrib)
        for child in element:
            if len(
                child
            ):  # nested list, e.g. <allowed_equipment><unit>B1</unit>...</allowed_equipment>
                values[child.tag] = [(c.text or "").strip() for c in child]
            else:
                values[child.tag] = (child.text or "").strip()
        columns.extend(k for k in values if k not in columns)
        records.append(Record(path.name, i, {k: _clean(v) for k, v in values.items()}))
    return columns, records
