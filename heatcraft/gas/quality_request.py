"""The `heatcraft gas-quality FILE` request: composition and reference conditions in, ISO 6976 out.

Request: {"composition": {"methane": 0.95, ...}, "combustion_temperature_c": 15,
"metering_temperature_c": 15, "normalize": false}. Temperatures default to 15/15, normalize to
false. The response is GasProperties.to_dict() plus the composition actually used.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from heatcraft.gas.composition import validate_composition
from heatcraft.gas.errors import GasInputError
from heatcraft.gas.iso6976 import gas_properties
from heatcraft.requests import parse_request


class GasQualityRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    composition: dict[str, float]
    combustion_temperature_c: float = 15.0
    metering_temperature_c: float = 15.0
    normalize: bool = False


def gas_quality_request(request: dict) -> dict:
    """Evaluate a gas-quality request; raises GasInputError (a ValueError) on bad input."""
    parsed = parse_request(GasQualityRequest, request, "gas-quality", GasInputError)
    properties = gas_properties(
        parsed.composition,
        combustion_temperature_c=parsed.combustion_temperature_c,
        metering_temperature_c=parsed.metering_temperature_c,
        normalize=parsed.normalize,
    )
    response: dict[str, Any] = properties.to_dict()
    response["composition"] = validate_composition(parsed.composition, normalize=parsed.normalize)
    return response
