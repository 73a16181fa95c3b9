"""Dagster resources of Heatcraft."""

from resources.warehouse import TableSpec, WarehouseResource, WarehouseValidationError

__all__ = ["TableSpec", "WarehouseResource", "WarehouseValidationError"]
