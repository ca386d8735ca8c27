"""The floor: the least work any pipeline over the corpus must do.

    python -m bench.floor CORPUS OUT.parquet

Read every report, split it into paper blocks with one regular expression, and write the raw
blocks to one Parquet file. The full build is measured against this.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

# A paper starts at a heading with 📄, of any level and indented up to three spaces, as in the
# parser's grammar (`pipelines/parsing/grammar.py`).
PAPER_START = re.compile(r"^ {0,3}#{1,6}[^\S\n]*📄", re.MULTILINE)


def split_blocks(text: str) -> list[str]:
    starts = [match.start() for match in PAPER_START.finditer(text)]
    return [text[start:end] for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]


def main() -> None:
    corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
    files, blocks = [], []
    for path in sorted(corpus.rglob("*.md")):
        text = path.read_bytes().decode("utf-8-sig")
        for block in split_blocks(text):
            files.append(path.name)
            blocks.append(block)
    table = pa.table({"source_file": files, "block": blocks})
    pq.write_table(table, out, compression="zstd")
    print(f"{len(blocks)} blocks from {len(set(files))} files")


if __name__ == "__main__":
    main()
