"""The yardstick for an incremental build: one trivial asset, materialised by the Dagster CLI.

dagster asset materialize -f bench/trivial.py --select trivial
"""

import dagster as dg


@dg.asset
def trivial() -> int:
    return 1


defs = dg.Definitions(assets=[trivial])
