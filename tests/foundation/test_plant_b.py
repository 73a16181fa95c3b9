"""The larger example: a URDB tariff with a native overlay, two production days."""

from datetime import date
from pathlib import Path

import pytest

from heatcraft.intake.site_folder import load_site
from heatcraft.planning import cost, horizon_for
from heatcraft.scheduling import verify_plan
from heatcraft.scheduling.baseline import fifo_plan, jobs_in_horizon

PLANT_B = Path(__file__).resolve().parents[2] / "examples" / "plant_b"


@pytest.mark.parametrize("day", [date(2026, 7, 14), date(2026, 7, 15)])
def test_each_day_of_plant_b_has_a_verified_baseline(day):
    inputs = load_site(PLANT_B)
    assert len(inputs.equipment) == 14 and len(inputs.jobs) == 120
    assert inputs.tariff.timezone == "America/Phoenix"  # from the overlay
    horizon = horizon_for(inputs, day)
    plan = fifo_plan(inputs, horizon.grid)
    assert (
        len(plan.assignments) + len(plan.dropped_jobs)
        == len(jobs_in_horizon(inputs.jobs, horizon.grid))
        == 60
    )
    assert verify_plan(plan, inputs, horizon.grid, horizon.series).ok
    costed = cost(plan, inputs, horizon)
    assert costed.cost.total > 0 and costed.cost.electric_bill > 0
