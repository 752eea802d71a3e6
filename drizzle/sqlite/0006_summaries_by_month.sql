-- test_summaries becomes a row per test, category and UTC month, and so do the analysis marks that
-- note which revision of each summary analysis read: retention then deletes a month's summaries
-- with its measurements instead of recounting what every test keeps (src/store/summaries.ts). The
-- summaries are filled in afresh from the measurements, in one pass over the table. A test analysis
-- had read up to date is marked so in each of its months, so the first pass after the upgrade does
-- not analyse every test again. The summaries are written month by month, as ingest goes on to
-- write them: a month's rows then share pages, so retention deleting them leaves the other months'
-- pages untouched (on PostgreSQL still all-visible, so counting tests stays an index-only scan).
CREATE TEMPORARY TABLE `analysed_before_months` AS
  SELECT s.test_name, s.category_key
  FROM test_summaries s JOIN test_analysis_marks k USING (test_name, category_key)
  WHERE k.analyzed_revision >= s.revision;
--> statement-breakpoint
DROP TABLE `test_analysis_marks`;--> statement-breakpoint
CREATE TABLE `test_analysis_marks` (
	`test_name` text NOT NULL,
	`category_key` text NOT NULL,
	`period` integer NOT NULL,
	`analyzed_revision` integer NOT NULL,
	PRIMARY KEY(`test_name`, `category_key`, `period`)
);
--> statement-breakpoint
DROP TABLE `test_summaries`;--> statement-breakpoint
CREATE TABLE `test_summaries` (
	`test_name` text NOT NULL,
	`category_key` text NOT NULL,
	`period` integer NOT NULL,
	`measurements_count` integer NOT NULL,
	`confidence_sum` real NOT NULL,
	`min_confidence` real NOT NULL,
	`max_confidence` real NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	`latest_confidence` real NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	PRIMARY KEY(`test_name`, `category_key`, `period`)
);
--> statement-breakpoint
INSERT INTO test_summaries (test_name, category_key, period, measurements_count, confidence_sum, min_confidence, max_confidence, first_seen, last_seen, latest_confidence)
SELECT g.test_name, g.category_key, g.period, g.measurements_count, g.confidence_sum, g.min_confidence, g.max_confidence, g.first_seen, g.last_seen, latest.confidence
FROM (
  SELECT test_name, coalesce(category, '') AS category_key,
    cast(strftime('%s', "timestamp" / 1000.0, 'unixepoch', 'start of month') AS integer) * 1000 AS period, count(*) AS measurements_count,
    sum(confidence) AS confidence_sum, min(confidence) AS min_confidence, max(confidence) AS max_confidence,
    min("timestamp") AS first_seen, max("timestamp") AS last_seen
  FROM confidence_measurements
  GROUP BY 1, 2, 3
) g
JOIN confidence_measurements latest ON latest.test_name = g.test_name AND latest."timestamp" = g.last_seen
ORDER BY 3, 1, 2;
--> statement-breakpoint
INSERT INTO test_analysis_marks (test_name, category_key, period, analyzed_revision)
SELECT s.test_name, s.category_key, s.period, s.revision FROM test_summaries s JOIN analysed_before_months a ON a.test_name = s.test_name AND a.category_key = s.category_key
ORDER BY s.period, s.test_name, s.category_key;
--> statement-breakpoint
DROP TABLE `analysed_before_months`;
