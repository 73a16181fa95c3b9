import shutil
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "plant_a"


@pytest.fixture
def site_copy(tmp_path: Path) -> Path:
    """A private copy of the example site that a test may break."""
    target = tmp_path / "plant_a"
    shutil.copytree(EXAMPLE, target)
    return target
