-- Which benchmarks are mentioned by the most papers?
SELECT
    normalized_name AS benchmark,
    count(DISTINCT arxiv_id) AS papers,
    count(*) AS mentions
FROM mentions
WHERE kind = 'benchmark'
GROUP BY benchmark
ORDER BY papers DESC, mentions DESC, benchmark
LIMIT 20;
