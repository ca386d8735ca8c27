"""The DuckDB warehouse: tables and views built from the validated tables."""

from pipelines.warehouse.build import WAREHOUSE_FILE, build_warehouse, load_warehouse

__all__ = ["WAREHOUSE_FILE", "build_warehouse", "load_warehouse"]
