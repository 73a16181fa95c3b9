"""The data-quality expectations on a site's inputs (heatcraft.quality)."""

import dataclasses
import warnings
from datetime import timedelta
from pathlib import Path

import pandas as pd

from heatcraft.intake.site_folder import load_site
from heatcraft.quality import expectations_on_inputs

PLANT_A = Path(__file__).resolve().parents[2] / "examples" / "plant_a"


def test_the_example_passes_with_pandas_future_warnings_as_errors():
    # Great Expectations' metrics on tz-aware datetime columns raise Pandas4Warning, which
    # pandas 4 makes an error: the deadline/earliest_start check then failed on a valid site.
    inputs = load_site(PLANT_A)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.Pandas4Warning)
        outcome = expectations_on_inputs(inputs)
    assert outcome.success, outcome.failures
    assert outcome.evaluated == 11


def test_a_deadline_before_the_earliest_start_is_named():
    inputs = load_site(PLANT_A)
    first = inputs.jobs[0]
    # model_copy skips the pydantic models' own checks, so the expectation is what catches it.
    broken = first.model_copy(update={"deadline": first.earliest_start - timedelta(minutes=1)})
    inputs = dataclasses.replace(inputs, jobs=[broken, *inputs.jobs[1:]])
    outcome = expectations_on_inputs(inputs)
    assert not outcome.success
    assert len(outcome.failures) == 1
    assert "expect_column_pair_values_a_to_be_greater_than_b" in outcome.failures[0]
    assert "'deadline'" in outcome.failures[0]
