"""Each kind of bad input is refused with its file, row, field and rule."""

import csv
from pathlib import Path

import pytest

from heatcraft.errors import InputError
from heatcraft.intake.site_folder import load_site


def _edit_csv(path: Path, row_index: int, column: str, value: str) -> int:
    """Set one cell (row_index 0 = first data row); returns the spreadsheet row number."""
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[row_index][column] = value
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return row_index + 2


def _issue(folder: Path):
    with pytest.raises(InputError) as caught:
        load_site(folder)
    return caught.value.issues[0], str(caught.value)


def test_missing_column_names_file_and_column(site_copy: Path):
    path = site_copy / "jobs.csv"
    text = path.read_text().splitlines()
    header = text[0].split(",")
    drop = header.index("deadline")
    path.write_text(
        "\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != drop) for line in text)
        + "\n"
    )
    issue, message = _issue(site_copy)
    assert (issue.file, issue.row, issue.field) == ("jobs.csv", 1, "deadline")
    assert "missing" in issue.rule


def test_unknown_column_is_an_error(site_copy: Path):
    path = site_copy / "equipment.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0] + ",colour"] + [line + ",red" for line in lines[1:]]))
    issue, _ = _issue(site_copy)
    assert (issue.file, issue.field) == ("equipment.csv", "colour")
    assert "unknown column" in issue.rule


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_file_separated_by_semicolons_or_tabs_says_so(site_copy: Path, separator: str):
    path = site_copy / "equipment.csv"
    path.write_text(path.read_text().replace(",", separator))
    issue, message = _issue(site_copy)
    assert (issue.file, issue.row) == ("equipment.csv", 1)
    assert "separated by" in issue.rule and "comma-separated" in message


def test_wrong_type(site_copy: Path):
    row = _edit_csv(site_copy / "jobs.csv", 4, "duration_minutes", "ninety")
    issue, _ = _issue(site_copy)
    assert (issue.file, issue.row, issue.field) == ("jobs.csv", row, "duration_minutes")


def test_wrong_unit_is_refused_and_right_unit_converted(site_copy: Path):
    row = _edit_csv(site_copy / "jobs.csv", 2, "heating_kwh", "500 kW")
    issue, _ = _issue(site_copy)
    assert (issue.file, issue.row, issue.field) == ("jobs.csv", row, "heating_kwh")
    assert "kWh" in issue.rule
    _edit_csv(site_copy / "jobs.csv", 2, "heating_kwh", "0.5 MWh")
    inputs = load_site(site_copy)
    assert inputs.jobs[2].heating_kwh == pytest.approx(500.0)


def test_negative_energy(site_copy: Path):
    row = _edit_csv(site_copy / "jobs.csv", 7, "heating_kwh", "-20")
    issue, _ = _issue(site_copy)
    assert (issue.file, issue.row, issue.field) == ("jobs.csv", row, "heating_kwh")


def test_deadline_before_earliest_start(site_copy: Path):
    row = _edit_csv(site_copy / "jobs.csv", 3, "deadline", "2026-06-15T08:00:00-05:00")
    issue, _ = _issue(site_copy)
    assert (issue.file, issue.row, issue.field) == ("jobs.csv", row, "deadline")
    assert "not after earliest_start" in issue.rule


def test_job_that_fits_no_unit(site_copy: Path):
    row = _edit_csv(site_copy / "jobs.csv", 0, "heating_kwh", "90000")
    issue, message = _issue(site_copy)
    assert (issue.file, issue.row, issue.field) == ("jobs.csv", row, "heating_kwh")
    assert "fits no unit" in issue.rule and "capacity" in issue.rule


def test_duplicate_job_id(site_copy: Path):
    row = _edit_csv(site_copy / "jobs.csv", 5, "job_id", "J001")
    issue, _ = _issue(site_copy)
    assert (issue.file, issue.row, issue.field) == ("jobs.csv", row, "job_id")
    assert "duplicate" in issue.rule and "row 2" in issue.rule


def test_maintenance_on_unknown_unit(site_copy: Path):
    row = _edit_csv(site_copy / "maintenance.csv", 1, "equipment_id", "ZZ9")
    issue, _ = _issue(site_copy)
    assert (issue.file, issue.row, issue.field) == ("maintenance.csv", row, "equipment_id")
    assert "ZZ9" in issue.rule


def test_heat_pump_cop_rule(site_copy: Path):
    row = _edit_csv(site_copy / "equipment.csv", 4, "efficiency", "0.9")
    issue, _ = _issue(site_copy)
    assert (issue.file, issue.row, issue.field) == ("equipment.csv", row, "efficiency")
    assert "COP" in issue.rule


def test_every_issue_is_reported_at_once(site_copy: Path):
    _edit_csv(site_copy / "jobs.csv", 1, "priority", "9")
    _edit_csv(site_copy / "jobs.csv", 2, "heating_kwh", "-1")
    with pytest.raises(InputError) as caught:
        load_site(site_copy)
    assert {(i.row, i.field) for i in caught.value.issues} == {(3, "priority"), (4, "heating_kwh")}
