-- How many reports are there per month, and how many papers do they list?
SELECT
    strftime(report_date, '%Y-%m') AS month,
    count(*) AS reports,
    sum(paper_count)::BIGINT AS papers,
    min(report_date) AS first_report,
    max(report_date) AS last_report
FROM reports
GROUP BY month
ORDER BY month;
