"""The heatcraft command line: JSON contracts, and one-line reasons with exit 2 on bad input."""

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heatcraft.cli import app

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "examples" / "plant_a"
REQUESTS = ROOT / "examples" / "requests"
runner = CliRunner()


def _json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_plan_contract_with_the_optimizer(tmp_path: Path):
    out = tmp_path / "plan.json"
    result = runner.invoke(
        app, ["plan", str(SITE), "--date", "2026-06-16", "--time-limit", "5", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["verified"] is True
    assert report["status"] in ("optimal", "feasible")
    assert set(report["solver"]) >= {"engine", "status", "objective", "bound", "gap", "seconds"}
    solver = report["solver"]
    if solver["bound"] is not None:  # a very short limit may end before any bound is proven
        assert solver["bound"] <= solver["objective"] + 1e-6
        assert solver["gap"] >= 0
    first = report["assignments"][0]
    assert set(first) >= {"job_id", "equipment_id", "start", "end", "heat_kw", "input_kw"}
    assert datetime.fromisoformat(first["start"]).utcoffset() is not None
    assert set(report["costs"]) >= {"energy", "demand", "fixed", "total"}
    assert report["costs"]["total"] <= report["baseline_costs"]["total"]
    assert report["savings"]["total"] == pytest.approx(
        report["baseline_costs"]["total"] - report["costs"]["total"], abs=0.02
    )
    assert report["dropped_jobs"] == []


def test_plan_repeatable_says_the_counts_ended_the_search(tmp_path: Path):
    reports = []
    for name in ("first.json", "second.json"):
        out = tmp_path / name
        result = runner.invoke(app, ["plan", str(SITE), "--date", "2026-06-16", "--backend",
                                     "heuristic", "--time-limit", "2", "--repeatable",
                                     "--out", str(out)])
        assert result.exit_code == 0, result.output
        reports.append(json.loads(out.read_text()))
    parameters = reports[0]["solver"]["parameters"]
    assert parameters["repeatable"] is True and parameters["engine.stopped_by_clock"] is False
    assert reports[0]["assignments"] == reports[1]["assignments"]


def test_plan_baseline_only_says_so():
    report = _json(
        runner.invoke(app, ["plan", str(SITE), "--date", "2026-06-16", "--baseline-only"])
    )
    assert report["status"] == "baseline_only"
    assert "baseline only" in report["note"]
    assert report["savings"]["total"] == 0


def test_plan_bad_input_is_one_line_and_exit_2(tmp_path: Path):
    site = tmp_path / "plant_a"
    shutil.copytree(SITE, site)
    jobs = site / "jobs.csv"
    jobs.write_text(jobs.read_text().replace("J003,", "J001,", 1))
    result = runner.invoke(app, ["plan", str(site), "--date", "2026-06-16"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: jobs.csv, row 4, field 'job_id': duplicate id 'J001'")


def test_plan_bad_date():
    result = runner.invoke(app, ["plan", str(SITE), "--date", "16/06/2026"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.stderr


def test_plan_unknown_backend_is_one_line_and_exit_2():
    result = runner.invoke(app, ["plan", str(SITE), "--date", "2026-06-16", "--backend", "gurobi"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: --backend 'gurobi' is not one of auto, guided, cpsat, highs, scip, cbc, heuristic"]


def test_gas_quality_request_file():
    response = _json(runner.invoke(app, ["gas-quality", str(REQUESTS / "gas_quality.json")]))
    assert response["molar_mass_kg_per_kmol"] == pytest.approx(17.388430, abs=1e-6)
    assert response["gross_calorific_value_mj_per_m3"] == pytest.approx(38.410611, abs=1e-6)
    for key in (
        "compression_factor",
        "net_calorific_value_kj_per_mol",
        "density_kg_per_m3",
        "relative_density",
        "wobbe_index_gross_mj_per_m3",
        "wobbe_index_net_mj_per_m3",
    ):
        assert key in response


def test_bad_composition_exits_2(tmp_path: Path):
    request = tmp_path / "gas.json"
    request.write_text(json.dumps({"composition": {"methane": 0.9, "unobtainium": 0.1}}))
    result = runner.invoke(app, ["gas-quality", str(request)])
    assert result.exit_code == 2
    assert "unobtainium" in result.stderr


def test_blend_request_file():
    response = _json(runner.invoke(app, ["blend", str(REQUESTS / "blend.json")]))
    assert response["status"] == "optimal"
    assert sum(response["shares"].values()) == pytest.approx(1.0)
    assert {"cost", "properties", "binding"} <= set(response)


def test_procure_request_file():
    response = _json(runner.invoke(app, ["procure", str(REQUESTS / "procure.json")]))
    assert response["eoq"] > 0 and response["reorder_point"] > response["safety_stock"] > 0


def test_fuel_mix_request_file(monkeypatch):
    monkeypatch.chdir(ROOT)  # requests name the example site relative to the repository
    response = _json(runner.invoke(app, ["fuel-mix", str(REQUESTS / "fuel_mix.json")]))
    assert response["status"] == "optimal"
    totals = response["totals"]
    assert totals["total_cost"] == pytest.approx(
        totals["fuel_cost"] + totals["carbon_cost"] + totals["order_cost"]
    )
    assert response["solver"] and response["binding_limits"] and response["pareto_frontier"]


def test_emissions_request_file_reconciles(monkeypatch):
    monkeypatch.chdir(ROOT)
    response = _json(runner.invoke(app, ["emissions", str(REQUESTS / "emissions.json")]))
    for line in response["lines"]:
        assert line["emission_kg"] == pytest.approx(
            line["energy_gj_net"] * line["factor_kg_per_gj_net"], rel=1e-9
        )
        assert line["source"]  # every factor says where it comes from
        if line["scope"] == "scope1":  # combustion factors come from the published databases
            assert line["table"] and line["year"]
    assert response["totals"]["total_co2e_kg"] == pytest.approx(
        sum(
            line["co2e_kg"]
            for line in response["lines"]
            if line["scope"] != "biogenic_outside_scopes"
        ),
        rel=1e-9,
    )


def test_gas_blend_request_file_holds_the_window():
    request = json.loads((REQUESTS / "gas_blend.json").read_text())
    response = _json(runner.invoke(app, ["gas-blend", str(REQUESTS / "gas_blend.json")]))
    assert response["status"] == "optimal"
    assert sum(response["fractions"].values()) == pytest.approx(1.0)
    window = request["wobbe_index_mj_per_m3"]
    wobbe = response["properties"]["wobbe_index_gross_mj_per_m3"]
    assert window["min"] <= wobbe <= window["max"]


def test_bill_command_prints_months(tmp_path: Path):
    load = tmp_path / "load.csv"
    rows = ["timestamp,kw"] + [
        f"2026-06-16T{h:02d}:{m:02d}:00-05:00,100" for h in range(24) for m in (0, 15, 30, 45)
    ]
    load.write_text("\n".join(rows) + "\n")
    bill = _json(
        runner.invoke(app, ["bill", "--tariff", str(SITE / "tariff.yaml"), "--load", str(load)])
    )
    month = bill["months"][0]
    assert month["month"] == "2026-06"
    # Weekday: 8 h off-peak, 8 h mid-peak, 4 h on-peak, 4 h critical at 100 kW.
    expected = 100 * (8 * 0.045 + 8 * 0.085 + 4 * 0.125 + 4 * 0.145)
    assert month["energy"] == pytest.approx(expected, abs=0.01)


def test_invalid_json_request_exits_2(tmp_path: Path):
    request = tmp_path / "broken.json"
    request.write_text("{not json")
    result = runner.invoke(app, ["procure", str(request)])
    assert result.exit_code == 2 and "invalid JSON" in result.stderr


@pytest.mark.parametrize(("value", "rule"), [
    ("abc", "'abc' is not 'never' or comma-separated amounts per priority (e.g. "
            "5000,2000,1000,500,200)"),
    ("1,2,3,4,5,6", "'1,2,3,4,5,6': give 1 to 5 amounts, one per priority from 1 (highest)"),
    ("5,-1", "'5,-1': every amount must be a finite number >= 0"),
    ("1,5", "'1,5': a higher priority (earlier) may not cost less to drop"),
])
def test_plan_bad_drop_penalty_is_one_line_and_exit_2(value, rule):
    result = runner.invoke(app, ["plan", str(SITE), "--date", "2026-06-16",
                                 "--drop-penalty", value])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"error: --drop-penalty: {rule}"]


def test_plan_late_penalty_delays_a_job_that_cannot_meet_its_deadline(tmp_path: Path):
    # Two 3-hour jobs only EH1 may heat, both due at 05:00: the priority-5 one ends late.
    site = tmp_path / "plant_a"
    shutil.copytree(SITE, site)
    with (site / "jobs.csv").open("a") as jobs:
        for job_id, priority in (("L1", 1), ("L2", 5)):
            jobs.write(f"{job_id},P-X,Late test,1,batch,240,100,180,2026-06-16T00:00:00-05:00,"
                       f"2026-06-16T05:00:00-05:00,{priority},EH1,\n")
    report = _json(runner.invoke(app, ["plan", str(site), "--date", "2026-06-16",
                                       "--time-limit", "5", "--late-penalty", "100,50,20,10,5"]))
    assert report["verified"] and not report["dropped_jobs"]
    [late] = [job for job in report["late_jobs"] if job["job_id"].startswith("L")]
    assert late["job_id"] == "L2" and late["late_minutes"] > 0
    assert late["penalty"] == pytest.approx(5.0 * late["late_minutes"] / 60, abs=0.01)
    result = runner.invoke(app, ["plan", str(site), "--date", "2026-06-16",
                                 "--late-penalty", "1,5"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: --late-penalty: '1,5': a higher priority (earlier) may not cost less to delay"]


def _spring_forward_site(tmp_path: Path, deadline: str) -> Path:
    """plant_a with two jobs on 2026-03-08 (02:00 CST -> 03:00 CDT), in site-local times
    without an offset. D1's window 00:30 - `deadline` holds its 3 hours only in real time."""
    site = tmp_path / "plant_a"
    shutil.copytree(SITE, site)
    header = (SITE / "jobs.csv").read_text().splitlines()[0]
    rows = [f"D1,P-FRY,Frying,10,kg,900,190,180,2026-03-08T00:30:00,{deadline},2,EH1,",
            "D2,P-FRY,Frying,10,kg,600,190,120,2026-03-08T01:00:00,2026-03-08T08:00:00,3,EH2,"]
    (site / "jobs.csv").write_text("\n".join([header, *rows]) + "\n")
    return site


def test_plan_through_the_spring_forward_hour_keeps_real_time(tmp_path: Path):
    site = _spring_forward_site(tmp_path, "2026-03-08T04:30:00")  # 3 real hours
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["plan", str(site), "--date", "2026-03-08", "--time-limit", "5",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["verified"] is True and report["dropped_jobs"] == []
    placed = {a["job_id"]: a for a in report["assignments"]}
    assert placed["D1"]["start"] == "2026-03-08T00:30:00-06:00"
    assert placed["D1"]["end"] == "2026-03-08T04:30:00-05:00"
    for job_id, hours in (("D1", 3), ("D2", 2)):
        start, end = (datetime.fromisoformat(placed[job_id][k]) for k in ("start", "end"))
        assert (end - start).total_seconds() == hours * 3600


def test_a_window_too_short_in_real_time_is_refused_by_row(tmp_path: Path):
    # 00:30 to 04:00 reads as 3.5 hours on the wall clock, but it is 2.5 real hours.
    site = _spring_forward_site(tmp_path, "2026-03-08T04:00:00")
    result = runner.invoke(app, ["plan", str(site), "--date", "2026-03-08"])
    assert result.exit_code == 2
    assert "jobs.csv" in result.output and "does not fit" in result.output
