"""Gas quality (ISO 6976:2016) and gas blending engines."""

from heatcraft.gas.blend import gas_blend_request, solve_gas_blend
from heatcraft.gas.errors import CompositionError, GasInputError, ReferenceConditionError
from heatcraft.gas.iso6976 import GasProperties, gas_properties, reference_pairs
from heatcraft.gas.quality_request import gas_quality_request

__all__ = [
    "CompositionError",
    "GasInputError",
    "GasProperties",
    "ReferenceConditionError",
    "gas_blend_request",
    "gas_properties",
    "gas_quality_request",
    "reference_pairs",
    "solve_gas_blend",
]
