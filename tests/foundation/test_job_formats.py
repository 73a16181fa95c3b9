"""Jobs load identically from CSV, Excel, JSON and XML; the input hash proves it."""

import csv
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from heatcraft.errors import InputError
from heatcraft.intake.site_folder import load_site


def _rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "jobs.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def _as_xlsx(folder: Path, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append([_typed(v) for v in row.values()])
    book.save(folder / "jobs.xlsx")


def _typed(value: str):
    try:
        return int(value)
    except ValueError:
        return value or None


def _as_json(folder: Path, rows):
    payload = [{k: v for k, v in row.items() if v != ""} for row in rows]
    (folder / "jobs.json").write_text(json.dumps({"jobs": payload}, indent=1))


def _as_xml(folder: Path, rows):
    parts = ["<?xml version='1.0'?>", "<jobs>"]
    for row in rows:
        parts.append("  <job>")
        for key, value in row.items():
            if key == "allowed_equipment" and value:
                units = "".join(f"<unit>{u}</unit>" for u in value.split(";"))
                parts.append(f"    <{key}>{units}</{key}>")
            elif value:
                parts.append(f"    <{key}>{value}</{key}>")
        parts.append("  </job>")
    parts.append("</jobs>")
    (folder / "jobs.xml").write_text("\n".join(parts))


@pytest.mark.parametrize("writer", [_as_xlsx, _as_json, _as_xml], ids=["xlsx", "json", "xml"])
def test_same_jobs_same_hash(site_copy: Path, writer):
    reference = load_site(site_copy)
    rows = _rows(site_copy)
    (site_copy / "jobs.csv").unlink()
    writer(site_copy, rows)
    loaded = load_site(site_copy)
    assert loaded.jobs == reference.jobs
    assert loaded.sha256 == reference.sha256


def test_xml_entity_bomb_is_refused(site_copy: Path):
    (site_copy / "jobs.csv").unlink()
    (site_copy / "jobs.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><jobs><job><job_id>&lol2;</job_id></job></jobs>'
    )
    with pytest.raises(InputError) as caught:
        load_site(site_copy)
    assert caught.value.issues[0].file == "jobs.xml"
    assert "unsafe XML" in caught.value.issues[0].rule


def test_json_row_is_record_number(site_copy: Path):
    rows = _rows(site_copy)
    rows[2]["priority"] = "0"
    (site_copy / "jobs.csv").unlink()
    _as_json(site_copy, rows)
    with pytest.raises(InputError) as caught:
        load_site(site_copy)
    issue = caught.value.issues[0]
    assert (issue.file, issue.row, issue.field) == ("jobs.json", 3, "priority")


def test_two_job_files_is_ambiguous(site_copy: Path):
    _as_json(site_copy, _rows(site_copy))
    with pytest.raises(InputError, match="exactly one of"):
        load_site(site_copy)
