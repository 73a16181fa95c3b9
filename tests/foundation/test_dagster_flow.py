"""The Dagster layer: materialize, re-materialize, refuse bad input without writing."""

import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from assets import baseline_plan, optimized_plan, plan_report, plan_savings, site_inputs
from assets.partitions import partition_key
from resources import WarehouseResource
from resources.reports import ReportsResource
from resources.sites import SiteFolderResource

ROOT = Path(__file__).resolve().parents[2]
KEY = partition_key("plant_a", "2026-06-16")


def _resources(sites_dir: Path, db: Path) -> dict:
    return {
        "sites": SiteFolderResource(sites_dir=str(sites_dir)),
        "warehouse": WarehouseResource(duckdb_path=str(db)),
    }


def _count(warehouse: WarehouseResource, table: str) -> int:
    return warehouse.query(f"SELECT count(*) AS n FROM {warehouse.qualified_name(table)}")[0]["n"]


def test_baseline_flow_writes_tables_and_is_idempotent(tmp_path: Path):
    resources = _resources(ROOT / "examples", tmp_path / "w.duckdb")
    first = dg.materialize([site_inputs, baseline_plan], partition_key=KEY, resources=resources)
    assert first.success
    checks = [e for e in first.get_asset_check_evaluations()]
    assert {(c.asset_key.path[-1], c.check_name, c.passed) for c in checks} == {
        ("site_inputs", "expectations", True),
        ("baseline_plan", "verified", True),
        ("baseline_plan", "cost_recomputed", True),
    }
    warehouse = resources["warehouse"]
    counts = {
        t: _count(warehouse, t)
        for t in (
            "jobs",
            "equipment",
            "plan_assignments",
            "load_profile",
            "plan_costs",
            "provenance",
        )
    }
    assert counts["jobs"] == 44 and counts["equipment"] == 9
    assert counts["plan_assignments"] == 44 and counts["load_profile"] == 96
    hashes = warehouse.query(
        f"SELECT asset, output_sha256 FROM {warehouse.qualified_name('provenance')} ORDER BY asset"
    )
    second = dg.materialize([site_inputs, baseline_plan], partition_key=KEY, resources=resources)
    assert second.success
    assert {t: _count(warehouse, t) for t in counts} == counts
    assert (
        warehouse.query(
            f"SELECT asset, output_sha256 FROM {warehouse.qualified_name('provenance')} "
            "ORDER BY asset"
        )
        == hashes
    )
    metadata = first.asset_materializations_for_node("baseline_plan")[0].metadata
    for key in (
        "dagster/row_count",
        "dagster/column_schema",
        "inputs_sha256",
        "output_sha256",
        "code_version",
        "sources",
        "total_cost",
    ):
        assert key in metadata


def _replace_cell(file: str, old: str, new: str):
    def edit(site: Path) -> None:
        path = site / file
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new, 1))

    return edit


def _drop_column(file: str, column: str):
    def edit(site: Path) -> None:
        path = site / file
        lines = path.read_text().splitlines()
        index = lines[0].split(",").index(column)
        path.write_text(
            "\n".join(
                ",".join(c for i, c in enumerate(line.split(",")) if i != index) for line in lines
            )
            + "\n"
        )

    return edit


def _add_column(file: str, column: str, value: str):
    def edit(site: Path) -> None:
        path = site / file
        lines = path.read_text().splitlines()
        path.write_text(
            "\n".join([f"{lines[0]},{column}"] + [f"{line},{value}" for line in lines[1:]]) + "\n"
        )

    return edit


BAD_INPUTS = {
    "missing column": (_drop_column("jobs.csv", "deadline"), "jobs.csv, row 1, field 'deadline'"),
    "unknown column": (
        _add_column("maintenance.csv", "colour", "red"),
        "maintenance.csv, row 1, field 'colour'",
    ),
    "wrong type": (
        _replace_cell("jobs.csv", ",240,2026-06-16T14:45", ",four hours,2026-06-16T14:45"),
        "jobs.csv, row 2, field 'duration_minutes'",
    ),
    "wrong unit": (
        _replace_cell("jobs.csv", ",1675,", ",1675 kW,"),
        "jobs.csv, row 2, field 'heating_kwh'",
    ),
    "negative energy": (
        _replace_cell("jobs.csv", ",1675,", ",-1675,"),
        "jobs.csv, row 2, field 'heating_kwh'",
    ),
    "deadline before start": (
        _replace_cell(
            "jobs.csv",
            "2026-06-16T14:45:00-05:00,2026-06-17T00:00:00-05:00",
            "2026-06-16T14:45:00-05:00,2026-06-16T10:00:00-05:00",
        ),
        "jobs.csv, row 2, field 'deadline'",
    ),
    "fits no unit": (
        _replace_cell("jobs.csv", ",1675,", ",99000,"),
        "jobs.csv, row 2, field 'heating_kwh'",
    ),
    "duplicate id": (
        _replace_cell("jobs.csv", "J002,", "J001,"),
        "jobs.csv, row 3, field 'job_id'",
    ),
    "maintenance on unknown unit": (
        _replace_cell("maintenance.csv", "GB2,", "GB9,"),
        "maintenance.csv, row 3, field 'equipment_id'",
    ),
}


@pytest.fixture(scope="module")
def good_warehouse(tmp_path_factory) -> Path:
    """A warehouse already holding a good materialization of the partition."""
    db = tmp_path_factory.mktemp("good") / "w.duckdb"
    result = dg.materialize(
        [site_inputs, baseline_plan], partition_key=KEY, resources=_resources(ROOT / "examples", db)
    )
    assert result.success
    return db


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_fails_named_and_loses_nothing(case: str, tmp_path: Path, good_warehouse):
    import shutil

    edit, where = BAD_INPUTS[case]
    sites = tmp_path / "sites"
    shutil.copytree(ROOT / "examples" / "plant_a", sites / "plant_a")
    edit(sites / "plant_a")
    db = tmp_path / "w.duckdb"
    shutil.copy(good_warehouse, db)
    resources = _resources(sites, db)
    before = {
        t: resources["warehouse"].query(
            f"SELECT * FROM {resources['warehouse'].qualified_name(t)} ORDER BY ALL"
        )
        for t in ("jobs", "plan_assignments", "provenance")
    }
    result = dg.materialize(
        [site_inputs, baseline_plan], partition_key=KEY, resources=resources, raise_on_error=False
    )
    assert not result.success
    message = str(result.failure_data_for_node("site_inputs").error.cause.message)
    assert where in message
    after = {
        t: resources["warehouse"].query(
            f"SELECT * FROM {resources['warehouse'].qualified_name(t)} ORDER BY ALL"
        )
        for t in before
    }
    assert after == before  # the previous good rows are all still there, nothing half-written


def test_bad_input_on_an_empty_warehouse_creates_nothing(tmp_path: Path):
    import shutil

    sites = tmp_path / "sites"
    shutil.copytree(ROOT / "examples" / "plant_a", sites / "plant_a")
    _replace_cell("jobs.csv", ",1675,", ",-1675,")(sites / "plant_a")
    result = dg.materialize(
        [site_inputs, baseline_plan],
        partition_key=KEY,
        resources=_resources(sites, tmp_path / "w.duckdb"),
        raise_on_error=False,
    )
    assert not result.success
    assert not (tmp_path / "w.duckdb").exists()


def test_definitions_load_without_heavy_imports():
    code = (
        "import sys, definitions; heavy = [m for m in ('great_expectations', 'ortools', "
        "'pulp', 'anthropic', 'matplotlib', 'reportlab', 'pandas', 'duckdb') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_optimizer_config_offers_exactly_the_engines_backends(tmp_path: Path):
    from typing import get_args

    from assets.plans import OptimizerBackend
    from heatcraft.scheduling.options import Backend

    assert get_args(OptimizerBackend) == get_args(Backend)
    with pytest.raises(dg.DagsterInvalidConfigError, match="backend"):
        dg.materialize(
            [site_inputs, optimized_plan],
            partition_key=KEY,
            resources=_resources(ROOT / "examples", tmp_path / "w.duckdb"),
            run_config={"ops": {"optimized_plan": {"config": {"backend": "gurobi"}}}},
        )
    assert not (tmp_path / "w.duckdb").exists()  # rejected before anything ran


@pytest.mark.slow
def test_dagster_validates_the_code_location():
    out = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-f", "definitions.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr[-2000:]


def test_optimized_plan_savings_and_reports(tmp_path: Path):
    resources = _resources(ROOT / "examples", tmp_path / "w.duckdb")
    result = dg.materialize(
        [site_inputs, baseline_plan, optimized_plan, plan_savings, plan_report],
        partition_key=KEY,
        resources={**resources, "reports": ReportsResource(reports_dir=str(tmp_path / "r"))},
        run_config={"ops": {"optimized_plan": {"config": {"time_limit_s": 10}}}},
    )
    assert result.success
    assert all(c.passed for c in result.get_asset_check_evaluations())
    warehouse = resources["warehouse"]
    rows = {
        r["component"]: r
        for r in warehouse.query(
            f"SELECT component, baseline, optimized, saving FROM "
            f"{warehouse.qualified_name('plan_savings')}"
        )
    }
    assert set(rows) == {"energy", "fuel", "startup", "demand", "fixed", "total"}
    total = rows["total"]
    assert total["saving"] == pytest.approx(total["baseline"] - total["optimized"])
    assert total["saving"] >= 0.15 * total["baseline"]  # the example must save at least 15 %
    solver = result.asset_materializations_for_node("optimized_plan")[0].metadata["solver"]
    assert {"engine", "status", "objective", "bound", "gap", "seconds"} <= set(solver.data)
    reports = tmp_path / "r" / "plant_a" / "2026-06-16"
    assert sorted(p.name for p in reports.iterdir()) == [
        "load_profile.png",
        "plan.xlsx",
        "summary.pdf",
    ]
    assert (reports / "load_profile.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (reports / "summary.pdf").read_bytes()[:5] == b"%PDF-"
    from openpyxl import load_workbook

    book = load_workbook(reports / "plan.xlsx", read_only=True)
    assert book.sheetnames == [
        "Summary",
        "Assignments optimized",
        "Assignments baseline",
        "Load profile",
        "Costs by unit and period",
    ]
    total_row = next(r for r in book["Summary"].iter_rows(values_only=True) if r[0] == "total")
    assert total_row[1] == pytest.approx(total["baseline"], abs=0.01)
    assert total_row[3] == pytest.approx(total["saving"], abs=0.01)
    book.close()
