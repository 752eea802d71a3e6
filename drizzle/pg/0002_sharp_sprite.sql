DROP INDEX "idx_measurements_test_name_timestamp";--> statement-breakpoint
CREATE UNIQUE INDEX "uq_measurements_test_name_timestamp" ON "confidence_measurements" USING btree ("test_name","timestamp");