"""Fixtures shared by every test package."""

import os
from urllib.parse import urlsplit

import pytest

DEFAULT_TEST_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """URL of a reachable PostgreSQL test server; skips (fails in CI) when there is none."""
    import psycopg  # imported here so tests that never touch PostgreSQL do not pay for it

    url = os.environ.get("HEATCRAFT_TEST_POSTGRES_URL", DEFAULT_TEST_POSTGRES_URL)
    try:
        with psycopg.connect(url, connect_timeout=3):
            pass
    except psycopg.Error as error:
        message = (
            f"PostgreSQL not reachable at {_without_password(url)}: "
            f"set HEATCRAFT_TEST_POSTGRES_URL ({str(error).strip()})"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}; CI must run the PostgreSQL tests", pytrace=False)
        pytest.skip(message)
    return url
