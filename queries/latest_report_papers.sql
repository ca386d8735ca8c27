-- Which papers are in the latest report, in report order?
SELECT p.rank, p.arxiv_id, p.title, d.category, c.status AS code
FROM papers p
LEFT JOIN domains d USING (report_date, arxiv_id)
LEFT JOIN code_release c USING (report_date, arxiv_id)
WHERE p.report_date = (SELECT max(report_date) FROM reports)
ORDER BY p.rank;
