CREATE TABLE "drift_detector_state" (
	"test_name" text PRIMARY KEY NOT NULL,
	"state" jsonb NOT NULL,
	"points_seen" integer NOT NULL,
	"last_timestamp" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "drift_analysis" ADD COLUMN "kind" text;