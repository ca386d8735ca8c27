"""Fuzz target for the report parser (atheris / libFuzzer).

    python tests/fuzz/fuzz_parser.py -runs=20000 CORPUS_DIR   # any libFuzzer flags work

Checks that no input makes the parser raise and that what it returns is consistent: spans inside
the file, sections inside their paper, innovations inside their section.
"""

import sys

import atheris

with atheris.instrument_imports(include=["pipelines.parsing"]):  # not pandas/polars
    from pipelines.parsing import parse_report
    from pipelines.parsing.report import PROBLEM_LEVELS
    from schemas.sections import SECTION_KEYS


def check_one_input(data: bytes) -> None:
    parsed = parse_report(data)
    line_count = len(parsed.lines)
    for problem in parsed.problems:
        assert problem.reason_code in PROBLEM_LEVELS
        assert 0 <= problem.line_start <= problem.line_end <= line_count
    for rank, paper in enumerate(parsed.papers, start=1):
        assert paper.rank == rank
        assert 1 <= paper.line_start <= paper.line_end <= line_count
        keys = [section.key for section in paper.sections]
        assert keys == sorted(keys, key=SECTION_KEYS.index) and len(set(keys)) == len(keys)
        for section in paper.sections:
            assert paper.line_start < section.line_start <= section.line_end <= paper.line_end
        innovations = next((s for s in paper.sections if s.key == "innovations"), None)
        for item in paper.innovations:
            assert innovations is not None
            assert (
                innovations.line_start <= item.line_start <= item.line_end <= innovations.line_end
            )


if __name__ == "__main__":
    atheris.Setup(sys.argv, check_one_input)
    atheris.Fuzz()
