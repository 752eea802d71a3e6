-- The hours of the measurements retention deletes, kept after them (see the schema's hourlyConfidenceHistory).
-- It starts empty: what earlier cleanups deleted is gone.
CREATE TABLE "hourly_confidence_history" (
	"category_key" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"measurements_count" bigint NOT NULL,
	"confidence_sum" double precision NOT NULL,
	"min_confidence" double precision NOT NULL,
	"max_confidence" double precision NOT NULL,
	CONSTRAINT "pk_hourly_confidence_history" PRIMARY KEY("hour","category_key")
);
