CREATE TABLE "hourly_confidence" (
	"category_key" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"measurements_count" bigint NOT NULL,
	"confidence_sum" double precision NOT NULL,
	"min_confidence" double precision NOT NULL,
	"max_confidence" double precision NOT NULL,
	CONSTRAINT "pk_hourly_confidence" PRIMARY KEY("hour","category_key")
);
--> statement-breakpoint
CREATE TABLE "test_analysis_marks" (
	"test_name" text NOT NULL,
	"category_key" text NOT NULL,
	"analyzed_revision" bigint NOT NULL,
	CONSTRAINT "pk_test_analysis_marks" PRIMARY KEY("test_name","category_key")
);
--> statement-breakpoint
CREATE TABLE "test_summaries" (
	"test_name" text NOT NULL,
	"category_key" text NOT NULL,
	"measurements_count" bigint NOT NULL,
	"confidence_sum" double precision NOT NULL,
	"min_confidence" double precision NOT NULL,
	"max_confidence" double precision NOT NULL,
	"first_seen" timestamp with time zone NOT NULL,
	"last_seen" timestamp with time zone NOT NULL,
	"latest_confidence" double precision NOT NULL,
	"revision" bigint DEFAULT 1 NOT NULL,
	CONSTRAINT "pk_test_summaries" PRIMARY KEY("test_name","category_key")
);
