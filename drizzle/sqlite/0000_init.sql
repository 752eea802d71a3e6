CREATE TABLE `confidence_measurements` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`test_name` text NOT NULL,
	`confidence` real NOT NULL,
	`category` text,
	`timestamp` integer NOT NULL,
	`failure_id` text,
	`rule_score` real,
	`signal_score` real,
	`created_at` integer NOT NULL,
	CONSTRAINT "measurements_confidence_range" CHECK("confidence_measurements"."confidence" >= 0 and "confidence_measurements"."confidence" <= 1)
);
--> statement-breakpoint
CREATE INDEX `idx_measurements_test_name_timestamp` ON `confidence_measurements` (`test_name`,`timestamp`,`id`);--> statement-breakpoint
CREATE INDEX `idx_measurements_category` ON `confidence_measurements` (`category`);--> statement-breakpoint
CREATE INDEX `idx_measurements_timestamp` ON `confidence_measurements` (`timestamp`,`id`);--> statement-breakpoint
CREATE TABLE `drift_alerts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`test_name` text NOT NULL,
	`category` text,
	`severity` text NOT NULL,
	`drift_percentage` real NOT NULL,
	`message` text NOT NULL,
	`recommendations` text NOT NULL,
	`created_at` integer NOT NULL,
	`acknowledged` integer DEFAULT false NOT NULL,
	`acknowledged_at` integer,
	`acknowledged_by` text
);
--> statement-breakpoint
CREATE INDEX `idx_alerts_test_name_created_at` ON `drift_alerts` (`test_name`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `idx_alerts_severity` ON `drift_alerts` (`severity`);--> statement-breakpoint
CREATE INDEX `idx_alerts_created_at` ON `drift_alerts` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `idx_alerts_acknowledged` ON `drift_alerts` (`acknowledged`);--> statement-breakpoint
CREATE TABLE `drift_analysis` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`test_name` text NOT NULL,
	`category` text,
	`baseline_confidence` real NOT NULL,
	`current_confidence` real NOT NULL,
	`drift_percentage` real NOT NULL,
	`drift_absolute` real NOT NULL,
	`severity` text NOT NULL,
	`direction` text NOT NULL,
	`trend` text NOT NULL,
	`measurements_count` integer NOT NULL,
	`time_span_seconds` real NOT NULL,
	`recommendations` text NOT NULL,
	`p_value` real,
	`change_point_at` integer,
	`analyzed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `idx_analysis_test_name_analyzed_at` ON `drift_analysis` (`test_name`,`analyzed_at`,`id`);--> statement-breakpoint
CREATE INDEX `idx_analysis_severity` ON `drift_analysis` (`severity`);--> statement-breakpoint
CREATE INDEX `idx_analysis_analyzed_at` ON `drift_analysis` (`analyzed_at`,`id`);