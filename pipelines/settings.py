"""Where things live: every path comes from the environment, with defaults inside the project."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DAGSTER_HOME_DIR = ".dagster_home"  # the default Dagster home, in the warehouse folder


@dataclass(frozen=True)
class Settings:
    seeds_dir: Path
    warehouse_dir: Path
    dagster_home: Path

    @classmethod
    def from_env(cls) -> Settings:
        def path(variable: str, default: Path) -> Path:
            value = os.environ.get(variable)
            return Path(value).resolve() if value else default

        warehouse_dir = path("DAILY_PAPERS_WAREHOUSE_DIR", PROJECT_ROOT / "warehouse")
        return cls(
            seeds_dir=path("DAILY_PAPERS_SEEDS_DIR", PROJECT_ROOT / "seeds"),
            warehouse_dir=warehouse_dir,
            # Inside the warehouse folder by default: it holds the parsed rows and table files
            # of the builds into that folder, which the build lock (on that folder) guards.
            dagster_home=path("DAGSTER_HOME", warehouse_dir / DAGSTER_HOME_DIR),
        )
