-- Which input file versions have been read, and by which runs first and last?
SELECT
    s.source_file,
    s.report_date,
    left(s.source_sha256, 12) AS sha256_prefix,
    s.first_seen_run,
    f.started_at AS first_seen_at,
    s.last_seen_run,
    l.started_at AS last_seen_at
FROM source_files s
LEFT JOIN runs f ON f.run_id = s.first_seen_run
LEFT JOIN runs l ON l.run_id = s.last_seen_run
ORDER BY s.source_file, first_seen_at, s.source_sha256;
