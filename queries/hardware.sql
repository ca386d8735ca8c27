-- Which hardware do the papers mention, in how many papers, with how many devices and memory?
SELECT
    normalized_name AS hardware,
    count(DISTINCT arxiv_id) AS papers,
    max(count) AS max_devices,
    max(memory_gb) AS max_memory_gb,
    string_agg(DISTINCT arxiv_id, ', ' ORDER BY arxiv_id) AS arxiv_ids
FROM mentions
WHERE kind = 'hardware'
GROUP BY hardware
ORDER BY papers DESC, hardware;
