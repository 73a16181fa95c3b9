"""100-year global warming potentials (AR6 default, AR5, AR4) from the packaged IPCC table."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

GwpSet = Literal["AR6", "AR5", "AR4"]
GWP_SETS: tuple[str, ...] = ("AR6", "AR5", "AR4")
DEFAULT_GWP_SET: GwpSet = "AR6"
_DATA_PACKAGE = "heatcraft.data.emission_factors"
GWP_FILE = "gwp100.csv"
GWP_SOURCE = {
    "AR6": "IPCC AR6 WGI (2021) Ch. 7, Table 7.15 / 7.SM.7",
    "AR5": "IPCC AR5 WGI (2013) Ch. 8, Table 8.7",
    "AR4": "IPCC AR4 WGI (2007) Ch. 2, Table 2.14",
}


@dataclass(frozen=True)
class GwpValues:
    """GWP100 of one assessment. Methane from fossil carbon also counts the CO2 it oxidises to,
    so it is higher than non-fossil methane where the report gives both."""

    assessment: str
    co2: float
    ch4: float
    ch4_fossil: float
    ch4_non_fossil: float
    n2o: float
    source: str

    def ch4_for(self, biogenic_fraction: float, split_fossil: bool) -> float:
        """Effective CH4 GWP for a fuel whose carbon is `biogenic_fraction` biogenic."""
        if not split_fossil:
            return self.ch4
        return (1 - biogenic_fraction) * self.ch4_fossil + biogenic_fraction * self.ch4_non_fossil

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@lru_cache(maxsize=1)
def _table() -> dict[tuple[str, str], float]:
    text = resources.files(_DATA_PACKAGE).joinpath(GWP_FILE).read_text(encoding="utf-8")
    return {
        (row["assessment"], row["gas"]): float(row["gwp100"])
        for row in csv.DictReader(text.splitlines())
    }


def gwp_values(assessment: str = DEFAULT_GWP_SET) -> GwpValues:
    """GWPs of one assessment; where the table has no fossil/non-fossil methane split, the single
    CH4 value stands in for the missing one."""
    if assessment not in GWP_SETS:
        raise ValueError(f"unknown GWP set {assessment!r}; choose one of {list(GWP_SETS)}")
    table = _table()
    ch4 = table[(assessment, "CH4")]
    return GwpValues(
        assessment=assessment,
        co2=table[(assessment, "CO2")],
        ch4=ch4,
        ch4_fossil=table.get((assessment, "CH4_fossil"), ch4),
        ch4_non_fossil=table.get((assessment, "CH4_non_fossil"), ch4),
        n2o=table[(assessment, "N2O")],
        source=GWP_SOURCE[assessment],
    )
