"""Run the parser fuzz target for a bounded number of inputs, seeded with real report text."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import SEEDS

FUZZ_TARGET = Path(__file__).parent / "fuzz" / "fuzz_parser.py"
RUNS = 30000


def test_fuzz_parser(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in SEEDS.iterdir():  # paper-sized pieces of the real reports as starting points
        for index, piece in enumerate(path.read_text(encoding="utf-8").split("\n## ")[:6]):
            (corpus / f"{path.stem}-{index}").write_text("## " + piece, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            str(FUZZ_TARGET),
            f"-runs={RUNS}",
            "-max_len=8192",
            "-seed=1",
            str(corpus),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    # libFuzzer may count a run or two over the budget (the empty input it starts with)
    done = re.search(r"^Done (\d+) runs", result.stderr, re.MULTILINE)
    assert done and int(done[1]) >= RUNS, result.stderr[-2000:]
