-- Summaries of the measurements stored before summaries existed; from here on every write keeps
-- them current (src/store/summaries.ts). A test's timestamps are unique, so the row at its last
-- timestamp in a category is its latest there.
INSERT INTO test_summaries (test_name, category_key, measurements_count, confidence_sum, min_confidence, max_confidence, first_seen, last_seen, latest_confidence)
SELECT g.test_name, g.category_key, g.measurements_count, g.confidence_sum, g.min_confidence, g.max_confidence, g.first_seen, g.last_seen, latest.confidence
FROM (
  SELECT test_name, coalesce(category, '') AS category_key, count(*) AS measurements_count, sum(confidence) AS confidence_sum,
    min(confidence) AS min_confidence, max(confidence) AS max_confidence, min("timestamp") AS first_seen, max("timestamp") AS last_seen
  FROM confidence_measurements
  GROUP BY test_name, coalesce(category, '')
) g
JOIN confidence_measurements latest ON latest.test_name = g.test_name AND latest."timestamp" = g.last_seen;
--> statement-breakpoint
INSERT INTO hourly_confidence (category_key, hour, measurements_count, confidence_sum, min_confidence, max_confidence)
SELECT coalesce(category, ''), date_bin('1 hour', "timestamp", timestamptz '2000-01-01 00:00:00+00'), count(*), sum(confidence), min(confidence), max(confidence)
FROM confidence_measurements
GROUP BY coalesce(category, ''), date_bin('1 hour', "timestamp", timestamptz '2000-01-01 00:00:00+00');
--> statement-breakpoint
-- Every batch rewrites the summary rows of its tests: vacuum them often, so counting tests stays an
-- index-only scan (100,000 tests: 12 ms vacuumed, 66 ms with the visibility map gone stale).
ALTER TABLE test_summaries SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02);
