"""README's reason-code table is the one generated from `schemas/reasons.py`, and that list
holds every code the pipeline can write into `rejects`; the README names every make target."""

from __future__ import annotations

import ast
import re

from pipelines.settings import PROJECT_ROOT
from schemas import REASON_CODES, RejectsSchema
from schemas.dictionary import README_TABLE_END, README_TABLE_START, readme_with_reason_codes

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_reason_code_table_is_current() -> None:
    assert README_TABLE_START in README and README_TABLE_END in README
    assert readme_with_reason_codes(README) == README, (
        "README.md's reason-code table is stale: run `make docs`"
    )


def test_readme_lists_every_reason_code() -> None:
    table = README.partition(README_TABLE_START)[2].partition(README_TABLE_END)[0]
    listed = re.findall(r"^\| `(\w+)` \| \S", table, flags=re.MULTILINE)
    assert listed == list(REASON_CODES)


def test_rejects_schema_accepts_only_the_listed_codes() -> None:
    checks = RejectsSchema.to_schema().columns["reason_code"].checks
    allowed = [check.statistics["allowed_values"] for check in checks if check.name == "isin"]
    assert [set(values) for values in allowed] == [set(REASON_CODES)]


def _codes_in_pipeline() -> set[str]:
    """String literals the pipeline passes as a reason code: to a parameter or field named
    `reason_code` (by keyword or position), as a `"reason_code": ...` dict value, or as the
    first item of a tuple returned by a function whose name ends in `_reason`."""
    trees = [
        ast.parse(path.read_text(encoding="utf-8"))
        for path in PROJECT_ROOT.glob("pipelines/**/*.py")
    ]
    positions: dict[str, int] = {}  # callable name -> index of its `reason_code` argument
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                names = [argument.arg for argument in node.args.args]
                if "reason_code" in names:
                    positions[node.name] = names.index("reason_code")
            elif isinstance(node, ast.ClassDef):  # dataclass fields
                fields = [s.target.id for s in node.body if isinstance(s, ast.AnnAssign)]
                if "reason_code" in fields:
                    positions[node.name] = fields.index("reason_code")
    codes: set[str] = set()

    def literal(node: ast.AST | None) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            codes.add(node.value)

    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if name in positions and len(node.args) > positions[name]:
                    literal(node.args[positions[name]])
                for keyword in node.keywords:
                    if keyword.arg == "reason_code":
                        literal(keyword.value)
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "reason_code":
                        literal(value)
            elif isinstance(node, ast.FunctionDef) and node.name.endswith("_reason"):
                for child in ast.walk(node):
                    if isinstance(child, ast.Return) and isinstance(child.value, ast.Tuple):
                        literal(child.value.elts[0])
    return codes


def test_every_code_the_pipeline_writes_is_documented() -> None:
    codes = _codes_in_pipeline()
    assert codes - set(REASON_CODES) == set(), "add these to schemas/reasons.py and the README"
    # The scan finds every documented code, so it would see a new one written the same way.
    assert codes == set(REASON_CODES)


def test_readme_names_every_make_target() -> None:
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    targets = re.findall(r"^([a-z-]+):.*## ", makefile, flags=re.MULTILINE)
    assert {"run", "test", "ui", "help", "env", "docs"} <= set(targets)
    assert [t for t in targets if f"make {t}" not in README] == []
