"""Test-wide settings: the compiled-pack cache lives in a directory of the test session, never the user's."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def session_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clinic-lint-cache")


@pytest.fixture(autouse=True)
def _isolated_cache(session_cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Shared by the whole session, so the shipped packs are compiled once, not once per test.
    monkeypatch.setenv("CLINIC_LINT_CACHE_DIR", str(session_cache_dir))
    # the key that authenticates cache entries lives outside the cache directory: here, next to it
    monkeypatch.setenv("CLINIC_LINT_CACHE_KEY", str(session_cache_dir.parent / "clinic-lint-cache-key"))
