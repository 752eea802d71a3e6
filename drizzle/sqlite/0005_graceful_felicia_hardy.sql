CREATE TABLE `drift_detector_state` (
	`test_name` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`points_seen` integer NOT NULL,
	`last_timestamp` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `drift_analysis` ADD `kind` text;