"""TableSpec refuses declarations that could not become a table."""

import pytest

from resources import TableSpec


def test_lists_are_stored_as_tuples_so_the_spec_stays_a_dict_key():
    spec = TableSpec("fuel_mix", [["fuel_id", "text"], ["share", "float"]], ["fuel_id"])

    assert spec.columns == (("fuel_id", "text"), ("share", "float"))
    assert {spec: []}[spec] == []
    assert spec.column_types == {"fuel_id": "text", "share": "float"}


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (("Fuel Mix", (("fuel_id", "text"),), ()), "table name 'Fuel Mix'"),
        (("fuel_mix", (("fuel_id", "decimal"),), ()), "type 'decimal' is not one of"),
        (("fuel_mix", (("fuel_id", "text"), ("fuel_id", "int")), ()), "declared twice"),
        (("fuel_mix", (("fuel_id", "text"),), ("site_id",)), "partition key 'site_id'"),
        (("fuel_mix", (("fuel_id", "text"),), (), ("site_id",)), "primary key 'site_id'"),
        (("fuel_mix", (), ()), "no columns"),
    ],
)
def test_bad_declarations_are_rejected(arguments, says):
    with pytest.raises(ValueError, match=says):
        TableSpec(*arguments)
