"""The bundled sample dataset used by ``partnergraph demo``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def sample_files() -> list[Path]:
    """The sample CSV files shipped with partnergraph, in load order."""
    folder = Path(str(resources.files("loaders") / "sample_data"))
    return sorted(folder.glob("*.csv"))
