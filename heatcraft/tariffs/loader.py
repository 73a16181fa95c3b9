"""load_tariff: native YAML or URDB JSON, told apart by content, plus an optional overlay."""

from __future__ import annotations

import json
from pathlib import Path

from heatcraft.tariffs.errors import TariffError
from heatcraft.tariffs.model import Tariff
from heatcraft.tariffs.native import apply_overlay, load_native


def _looks_like_json(path: Path) -> bool:
    try:
        head = path.read_text(encoding="utf-8").lstrip()[:1]
    except OSError as error:
        raise TariffError(f"cannot read ({error.strerror})", source=str(path)) from None
    except UnicodeDecodeError:
        raise TariffError("not a UTF-8 text file", source=str(path)) from None
    return head in ("{", "[")


def load_tariff(path: Path, overlay: Path | None = None) -> Tariff:
    """Read a tariff file; errors are TariffError naming the file and the field."""
    path = Path(path)
    if _looks_like_json(path):
        from heatcraft.tariffs.urdb import load_urdb

        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise TariffError(f"not valid JSON ({error})", source=str(path)) from None
        tariff = load_urdb(document, str(path))
    else:
        tariff = load_native(path)
    if overlay is not None:
        tariff = apply_overlay(tariff, Path(overlay))
    return tariff
