-- Which papers have released or promised their code, and what does the report say?
SELECT c.status, p.report_date, p.rank, p.arxiv_id, p.title, c.phrase
FROM code_release c
JOIN papers p USING (report_date, arxiv_id)
WHERE c.status IN ('released', 'promised')
ORDER BY c.status DESC, p.report_date, p.rank;
