-- What was rejected from each input file, and why (a file with nothing rejected shows 0)?
WITH files AS (
    SELECT source_file FROM reports
    UNION
    SELECT source_file FROM rejects
)
SELECT f.source_file, j.reason_code, j.level, count(j.reason_code) AS rejects
FROM files f
LEFT JOIN rejects j USING (source_file)
GROUP BY ALL
ORDER BY f.source_file, j.reason_code NULLS FIRST, j.level;
