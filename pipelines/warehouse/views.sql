-- Convenience views over the warehouse tables. Each statement ends with a semicolon.

CREATE VIEW paper_summaries AS
SELECT
    p.report_date,
    p.rank,
    p.arxiv_id,
    p.title,
    p.paper_url,
    max(CASE WHEN s.section_key = 'domain' THEN s.body END) AS domain,
    max(CASE WHEN s.section_key = 'contribution' THEN s.body END) AS contribution,
    max(CASE WHEN s.section_key = 'usage' THEN s.body END) AS usage,
    max(CASE WHEN s.section_key = 'innovations' THEN s.body END) AS innovations,
    max(CASE WHEN s.section_key = 'results' THEN s.body END) AS results,
    (SELECT count(*) FROM innovations i
     WHERE i.report_date = p.report_date AND i.arxiv_id = p.arxiv_id) AS innovation_count
FROM papers p
LEFT JOIN sections s USING (report_date, arxiv_id)
GROUP BY ALL
ORDER BY p.report_date, p.rank;

CREATE VIEW paper_innovations AS
SELECT p.report_date, p.rank, p.arxiv_id, p.title, i.ordinal, i.name, i.description
FROM innovations i
JOIN papers p USING (report_date, arxiv_id)
ORDER BY p.report_date, p.rank, i.ordinal;

CREATE VIEW report_overview AS
SELECT
    r.report_date,
    r.paper_count,
    (SELECT count(*) FROM rejects j WHERE j.source_file = r.source_file) AS reject_count,
    r.source_file,
    r.source_url
FROM reports r
ORDER BY r.report_date;

CREATE VIEW rejects_by_reason AS
SELECT reason_code, level, count(*) AS rejects, count(DISTINCT source_file) AS files
FROM rejects
GROUP BY ALL
ORDER BY rejects DESC, reason_code, level;
