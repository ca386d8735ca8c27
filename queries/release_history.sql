-- Which run published each release, when, with which code and how many papers?
SELECT
    l.release_id,
    l.published_at,
    l.schema_version,
    l.previous_release,
    r.run_id,
    r.code_version,
    r.parser_version,
    f.rows AS papers
FROM releases l
LEFT JOIN runs r USING (run_id)
LEFT JOIN release_files f ON f.release_id = l.release_id AND f.table_name = 'papers'
ORDER BY l.published_at DESC, l.release_id;
