"""Why an input ended in the rejects table: code -> what it means and what to do about it."""

REASON_CODES: dict[str, str] = {
    "unreadable_file": "The file, or a folder that holds report files, could not be read "
    "(permissions, a file name that is not UTF-8, or it vanished during the build); the message "
    "says which. Fix it and run again.",
    "parse_error": "The parser (or the code that makes rows and facets) failed on this file: a "
    "bug in daily-papers, not in the report. "
    "Please file an issue with the file attached.",
    "not_utf8": "The file is not valid UTF-8. Re-save it as UTF-8.",
    "empty_file": "The file has no text. Remove it or replace it with the real report.",
    "not_a_report": "No `**Date**: YYYY-MM-DD` line before the first paper. Check the file is a "
    "daily papers report and that its header is intact.",
    "no_papers": "The file has a report header but no paper heading (`## 📄 <title>`), so there "
    "is nothing to publish; any text in it is in `raw_text`. Check the paper headings.",
    "joined_reports": "A report title or `**Date**` line after the first paper: two reports "
    "joined in one file (the message gives the line). Nothing of the file is published; split it "
    "into one file per report.",
    "duplicate_file": "Byte-identical to another input file (same SHA-256); only the first by path "
    "is used. Delete the copy.",
    "conflicting_report": "Two different files claim the same report date; neither is published. "
    "Keep only the correct version.",
    "unassigned_text": "Text outside any section that the parser could not place (one row per "
    "run of adjacent lines), or text after a separator line in a paper's section (a footer). The "
    "report and its papers are still published, without this text. Check it is not a mistyped "
    "heading or meta line.",
    "unknown_section": "A numbered section heading that is not one of the five (e.g. `## 6. "
    "局限性`) and numbered past the section before it (a `**1. …**` line inside a section is an "
    "item of that section); its text is not published. The paper is still published if its five "
    "sections are complete. Rename the heading if it is one of the five.",
    "paper_without_id": "The paper's `链接` line is missing or has no recognisable arXiv id. Fix "
    "the link.",
    "missing_sections": "The paper lacks one or more of the five sections, so it is not published. "
    "Check its section headings.",
    "mixed_blocks": "Inside the paper's sections is the `链接` line of another paper, so the "
    "heading before it was not recognised as a paper heading and the text of two papers would be "
    "mixed; the paper is not published. Write that heading as `## 📄 <title>`.",
    "duplicate_paper": "The same arXiv id appears twice in one report; the first copy is "
    "published, or the first with a title and all five sections filled if it is not.",
    "schema_check_failed": "A value failed a schema check (named in `failed_check`). Fix the "
    "value in the report.",
}
