CREATE TABLE `hourly_confidence` (
	`category_key` text NOT NULL,
	`hour` integer NOT NULL,
	`measurements_count` integer NOT NULL,
	`confidence_sum` real NOT NULL,
	`min_confidence` real NOT NULL,
	`max_confidence` real NOT NULL,
	PRIMARY KEY(`hour`, `category_key`)
);
--> statement-breakpoint
CREATE TABLE `test_analysis_marks` (
	`test_name` text NOT NULL,
	`category_key` text NOT NULL,
	`analyzed_revision` integer NOT NULL,
	PRIMARY KEY(`test_name`, `category_key`)
);
--> statement-breakpoint
CREATE TABLE `test_summaries` (
	`test_name` text NOT NULL,
	`category_key` text NOT NULL,
	`measurements_count` integer NOT NULL,
	`confidence_sum` real NOT NULL,
	`min_confidence` real NOT NULL,
	`max_confidence` real NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	`latest_confidence` real NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	PRIMARY KEY(`test_name`, `category_key`)
);
