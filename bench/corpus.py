"""A synthetic corpus of daily reports, made by recombining the seed paper blocks.

    python -m bench.corpus FOLDER [--reports 3650]

Each report gets a fresh date (one a day from 2023-01-01), 20-30 paper blocks drawn from
formatting variants of the seed papers, fresh arXiv ids, and one of the separator lines the
parser accepts between its papers; some reports use CRLF line endings or a byte-order mark. The
same arguments and code always give the same files.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import random
import re
from pathlib import Path

from bench.variations import Choices, vary
from pipelines.parsing import parse_report
from pipelines.versions import PARSER_VERSION

BENCH = Path(__file__).resolve().parent
SEEDS = BENCH.parent / "seeds"
FIRST_DATE = dt.date(2023, 1, 1)
VARIANTS_PER_SEED = 6
PAPERS_PER_REPORT = (20, 30)
MARKER = "corpus.json"
# Between the header and each paper; mostly the `=` line of the real reports.
SEPARATORS = ("=" * 60,) * 6 + ("-" * 40, "***", "___", "=" * 3)


def report_name(date: dt.date) -> str:
    return f"{date:%Y}/daily-papers-{date.isoformat()}.md"


def paper_blocks(rng: random.Random) -> list[tuple[str, str]]:
    """(arXiv id, block text) of every seed paper in several formatting variants."""
    blocks = []
    for path in sorted(SEEDS.iterdir()):
        data = path.read_bytes()
        for variant in range(VARIANTS_PER_SEED):
            flags = {
                field.name: variant > 0 and rng.random() < 0.5
                for field in dataclasses.fields(Choices)
                if field.type == "bool" and field.name != "bom"
            }
            text = vary(data, Choices(**flags), rng).decode("utf-8")
            parsed = parse_report(text.encode("utf-8"))
            lines = text.split("\n")
            for paper in parsed.papers:
                block = "\n".join(lines[paper.line_start - 1 : paper.line_end])
                blocks.append((paper.arxiv_id, block))
    return blocks


def report_text(
    date: dt.date, blocks: list[tuple[str, str]], first_id: int, separator: str = "=" * 60
) -> str:
    """One report of `date` with the given blocks, their ids replaced by fresh ones, and the
    `separator` line after the header and between papers."""
    header = (
        "# Hugging Face Daily Papers Report\n"
        f"**Date**: {date.isoformat()}\n"
        f"**Source URL**: https://huggingface.co/papers/date/{date.isoformat()}\n\n"
        + separator
        + "\n\n"
    )
    papers = []
    for offset, (old_id, block) in enumerate(blocks):
        new_id = f"{date:%y%m}.{first_id + offset:05d}"
        papers.append(re.sub(re.escape(old_id), new_id, block))
    return header + f"\n\n{separator}\n\n".join(papers) + "\n"


def generate(folder: Path, reports: int, seed: int = 0) -> Path:
    """Write `reports` daily reports into `folder`, and only those: kept if already made with
    these arguments by this code from these seeds, and any other report file (say, one left by
    an interrupted benchmark) removed."""
    wanted = {
        "reports": reports,
        "seed": seed,
        "first_date": FIRST_DATE.isoformat(),
        "made_by": _generator_fingerprint(),
    }
    marker = folder / MARKER
    if not (marker.exists() and json.loads(marker.read_text()) == wanted):
        marker.unlink(missing_ok=True)
        rng = random.Random(seed)
        pool = paper_blocks(rng)
        ids_this_month: dict[str, int] = {}
        for day in range(reports):
            date = FIRST_DATE + dt.timedelta(days=day)
            write_report(folder, date, pool, rng, ids_this_month)
        marker.write_text(json.dumps(wanted))
    expected = {report_name(FIRST_DATE + dt.timedelta(days=day)) for day in range(reports)}
    for path in folder.rglob("*.md"):
        if path.relative_to(folder).as_posix() not in expected:
            path.unlink()
    return folder


def _generator_fingerprint() -> str:
    """What the corpus is made from besides the arguments: this code, the seeds, the parser."""
    digest = hashlib.sha256(PARSER_VERSION.encode())
    for path in [BENCH / "corpus.py", BENCH / "variations.py", *sorted(SEEDS.iterdir())]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def write_report(
    folder: Path,
    date: dt.date,
    pool: list[tuple[str, str]],
    rng: random.Random,
    ids_this_month: dict[str, int],
) -> Path:
    """Write one report of `date`; arXiv ids count up within each month, as real ones do."""
    blocks = rng.sample(pool, rng.randint(*PAPERS_PER_REPORT))
    month = f"{date:%y%m}"
    first_id = ids_this_month.get(month, 1)
    ids_this_month[month] = first_id + len(blocks)
    text = report_text(date, blocks, first_id, rng.choice(SEPARATORS))
    if rng.random() < 0.05:
        text = text.replace("\n", "\r\n")
    data = ("\ufeff" if rng.random() < 0.02 else "").encode() + text.encode("utf-8")
    path = folder / report_name(date)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--reports", type=int, default=3650)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    generate(args.folder, args.reports, args.seed)
    files = list(args.folder.rglob("*.md"))
    size = sum(path.stat().st_size for path in files)
    print(f"{len(files)} reports, {size / 1e6:.1f} MB in {args.folder}")


if __name__ == "__main__":
    main()
