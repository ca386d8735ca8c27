"""Untrusted report text stays text when rendered as Markdown in the Dagster UI, and shows as
written: no HTML, formatting, links or table breakage, no stray backslashes.

The escaped text is rendered with markdown-it-py (CommonMark with GFM tables and strikethrough).
It has no GFM autolink literals, so those are checked as the Dagster UI (remark-gfm) finds them:
with mdast-util-gfm-autolink-literal's patterns, on the decoded text of each text node.
`tests/test_ui_browser.py` looks at a real preview in the real UI.
"""

from __future__ import annotations

import re

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipelines.definitions import build_definitions
from pipelines.metadata import PREVIEW_CELL_CHARS, escape_markdown, markdown_table
from pipelines.settings import Settings

GFM = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# mdast-util-gfm-autolink-literal's patterns, without its checks of the text around a match (so
# stricter): `http(s)://…` or `www.…`, and an e-mail address.
AUTOLINK_LITERAL = re.compile(
    r"(https?://|www(?=\.))[-.\w]+|[-.\w+]+@[-\w]+(\.[-\w]+)+", re.IGNORECASE
)
NOTHING = "<!-- -->"  # what escape_markdown puts between text nodes; renders as nothing

HOSTILE = [
    '<script>alert("x")</script> **bold** [link](javascript:alert(1)) | pipe\nline',
    "<img src=x onerror=alert(1)> <!-- comment --> &lt;b&gt; &amp; &#46; &copy;",
    "_it_ *it* __b__ ~~s~~ ~s~ `code` ``c`` $x$ [^1]",
    "![image](https://example.com/i.png) [ref] [ref]: https://example.com",
    "# not a heading",
    "> not a quote",
    "- not an item",
    "1. not an item",
    "---",
    "a\\",
    "\\*not emphasis\\*",
    "<https://example.com> <a@example.com>",
    "https://huggingface.co/papers/2601.05960",
    "HTTP://EXAMPLE.COM/a_b (see https://arxiv.org/abs/2601.05960).",
    "www.example.com WWW.EXAMPLE.COM foo.www.example.com (www.x.co)",
    "first.last+tag@sub.example.org mailto:a@b.co xmpp:foo@bar.baz/txt @handle",
    "Memory-as-a-Tool: 3D Gaussian Splatting — 研究报告 …",
    "Second paper $x^2$ and $$\\frac{a}{b}$$",
]


def text_nodes(inline: Token) -> list[str]:
    """The text nodes of a rendered inline token, split where the escaper put `NOTHING`; fails
    on any other element (link, image, emphasis, code, HTML)."""
    nodes = [""]
    for child in inline.children or []:
        if child.type == "html_inline":
            assert child.content == NOTHING
            nodes.append("")
        else:
            assert child.type in ("text", "text_special"), child
            nodes[-1] += child.content
    return nodes


def assert_shown_as_written(escaped: str, original: str) -> None:
    tokens = GFM.parse(escaped)
    assert [token.type for token in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    nodes = text_nodes(tokens[1])
    assert "".join(nodes) == " ".join(original.split())
    for node in nodes:
        assert not AUTOLINK_LITERAL.search(node), node
    # GitHub renders `$…$` as math (CommonMark has no math, so check the source).
    assert not re.search(r"(?<!\\)\$", escaped), escaped
    html = GFM.render(escaped)
    for tag in ("<a", "<img", "<strong>", "<em>", "<s>", "<code>", "<script", "<h1", "<li"):
        assert tag not in html


def test_html_and_markdown_are_neutralised() -> None:
    hostile = HOSTILE[0]
    escaped = escape_markdown(hostile)
    assert "<" not in escaped and ">" not in escaped
    assert "&lt;script&gt;" in escaped
    assert "**" not in escaped and "](" not in escaped
    assert "\\|" in escaped
    assert "\n" not in escaped
    assert_shown_as_written(escaped, hostile)


@pytest.mark.parametrize("text", HOSTILE)
def test_renders_as_the_text_itself(text: str) -> None:
    assert_shown_as_written(escape_markdown(text), text)


def test_urls_and_addresses_are_not_linked() -> None:
    assert escape_markdown("https://huggingface.co/papers/2601.05960") == (
        "https:<!-- -->//huggingface\\.co/papers/2601\\.05960"
    )
    assert escape_markdown("www.example.com") == "www<!-- -->\\.example\\.com"
    assert escape_markdown("a@b.co") == "a<!-- -->@b\\.co"
    # Never a comment first: `<!--` at the start of a line would open an HTML block.
    assert escape_markdown("@handle") == "@handle"


def test_invisible_characters_that_reorder_text_are_shown_as_escapes() -> None:
    title = "Paper\u202egnp.exe\u200b"  # a right-to-left override and a zero-width space
    (paragraph,) = [t for t in GFM.parse(escape_markdown(title)) if t.type == "inline"]
    assert "".join(text_nodes(paragraph)) == "Paper\\u202egnp.exe\\u200b"


PIECES = [*"\\`*_{}[]()#+-.!|~<>:&;@/\"'=%?$ \nwWhtpsx0é…", "www.", "https://", "&#46;", "<!--"]


@given(st.lists(st.sampled_from(PIECES), max_size=20).map("".join).filter(str.strip))
def test_any_text_renders_as_itself(text: str) -> None:
    assert_shown_as_written(escape_markdown(text), text)


def test_preview_table_has_one_line_per_row_and_truncates() -> None:
    frame = pl.DataFrame({"title": ["a|b", "x" * 500, None]})
    table = markdown_table(frame).splitlines()
    assert len(table) == 2 + 3
    assert table[2] == "| a\\|b |"
    assert len(table[3]) < 100
    assert table[4] == "|  |"


def test_a_preview_cell_is_cut_only_past_its_limit() -> None:
    fits, too_long = "x" * PREVIEW_CELL_CHARS, "y" * (PREVIEW_CELL_CHARS + 1)
    table = markdown_table(pl.DataFrame({"title": [fits, too_long]})).splitlines()
    assert table[2] == f"| {fits} |"
    assert table[3] == f"| {'y' * (PREVIEW_CELL_CHARS - 1)}… |"


def test_preview_table_cells_show_their_values() -> None:
    frame = pl.DataFrame({"text": HOSTILE, "url": "https://arxiv.org/abs/2601.05960"})
    rows: list[list[str]] = []
    for token in GFM.parse(markdown_table(frame, frame.height)):
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline":
            nodes = text_nodes(token)
            assert not any(AUTOLINK_LITERAL.search(node) for node in nodes), nodes
            rows[-1].append("".join(nodes))
    shown = [
        " ".join(
            (
                value[: PREVIEW_CELL_CHARS - 1] + "…" if len(value) > PREVIEW_CELL_CHARS else value
            ).split()
        )
        for value in frame.to_series(0)
    ]
    assert rows == [["text", "url"], *([text, frame["url"][0]] for text in shown)]


def test_every_asset_explains_itself_in_the_ui() -> None:
    graph = build_definitions(Settings.from_env()).resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        name = key.to_user_string()
        assert node.description and len(node.description) > 40, name
        assert node.group_name in {"ingest", "tables", "facets", "warehouse", "release"}, name
        assert node.owners == ["team:daily-papers"], name
        assert node.code_version, name
        assert node.kinds, name
