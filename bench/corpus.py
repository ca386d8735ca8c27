"""A synthetic corpus of daily reports, made by recombining the seed paper blocks.

    python -m bench.corpus FOLDER [--reports 3650]

Each report gets a fresh date (one a day from 2023-01-01), 20-30 paper blocks drawn from
formatting variants of the seed papers, and fresh arXiv ids; some reports use CRLF line endings
or a byte-order mark. The same arguments always give the same files.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import random
import re
from pathlib import Path

from bench.variations import Choices, vary
from pipelines.parsing import parse_report

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
FIRST_DATE = dt.date(2023, 1, 1)
VARIANTS_PER_SEED = 6
PAPERS_PER_REPORT = (20, 30)
MARKER = "corpus.json"


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


def report_text(date: dt.date, blocks: list[tuple[str, str]], first_id: int) -> str:
    """One report of `date` with the given blocks, their ids replaced by fresh ones."""
    header = (
        "# Hugging Face Daily Papers Report\n"
        f"**Date**: {date.isoformat()}\n"
        f"**Source URL**: https://huggingface.co/papers/date/{date.isoformat()}\n\n"
        + "=" * 60
        + "\n\n"
    )
    papers = []
    for offset, (old_id, block) in enumerate(blocks):
        new_id = f"{date:%y%m}.{first_id + offset:05d}"
        papers.append(re.sub(re.escape(old_id), new_id, block))
    return header + "\n\n".join(papers) + "\n"


def generate(folder: Path, reports: int, seed: int = 0) -> Path:
    """Write `reports` daily reports into `folder` (kept if already made with these arguments)."""
    wanted = {"reports": reports, "seed": seed, "first_date": FIRST_DATE.isoformat()}
    marker = folder / MARKER
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        return folder
    rng = random.Random(seed)
    pool = paper_blocks(rng)
    ids_this_month: dict[str, int] = {}
    for day in range(reports):
        date = FIRST_DATE + dt.timedelta(days=day)
        write_report(folder, date, pool, rng, ids_this_month)
    marker.write_text(json.dumps(wanted))
    return folder


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
    text = report_text(date, blocks, first_id)
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
