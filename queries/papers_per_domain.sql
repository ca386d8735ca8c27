-- Which research domains do the papers belong to, and how many papers each?
SELECT category, count(DISTINCT arxiv_id) AS papers, min(report_date) AS first_seen, max(report_date) AS last_seen
FROM domains
GROUP BY category
ORDER BY papers DESC, category;
