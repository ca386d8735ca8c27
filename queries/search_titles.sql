-- Which papers have a keyword in their title (edit the keyword on the second line)?
WITH search AS (SELECT 'agent' AS keyword)
SELECT p.report_date, p.rank, p.arxiv_id, p.title, p.paper_url
FROM papers p, search
WHERE p.title ILIKE '%' || search.keyword || '%'
ORDER BY p.report_date DESC, p.rank;
