-- The hours of the measurements retention deletes, kept after them (see the schema's hourlyConfidenceHistory).
-- It starts empty: what earlier cleanups deleted is gone.
CREATE TABLE `hourly_confidence_history` (
	`category_key` text NOT NULL,
	`hour` integer NOT NULL,
	`measurements_count` integer NOT NULL,
	`confidence_sum` real NOT NULL,
	`min_confidence` real NOT NULL,
	`max_confidence` real NOT NULL,
	PRIMARY KEY(`hour`, `category_key`)
);
