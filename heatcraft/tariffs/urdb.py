"""URDB import (stage 2)."""

from __future__ import annotations

from typing import Any

from heatcraft.tariffs.errors import TariffError
from heatcraft.tariffs.model import Tariff


def load_urdb(document: Any, source: str) -> Tariff:
    raise TariffError("URDB import is not implemented yet", source=source)
