-- Analysis reads each test's instants and values. Rows arrive in time order, so a test's rows lie one
-- per page among every other test's, and at 10 million rows those page visits were most of what a
-- pass read. Carrying the value in the unique (test_name, timestamp) index lets the read come from the
-- index alone, at no extra index to maintain on ingest (a second, covering index halved the raw
-- upsert's rate into a 10-million-row table). Drizzle cannot declare INCLUDE, so this migration is
-- written by hand; src/db/pg/schema.ts declares the key. The new index is built in one pass over the
-- table (about 20 s per 10 million rows here) while writes wait, then takes the old one's name.
CREATE UNIQUE INDEX "uq_measurements_test_name_timestamp_next" ON "confidence_measurements" USING btree ("test_name","timestamp") INCLUDE ("confidence");
--> statement-breakpoint
DROP INDEX "uq_measurements_test_name_timestamp";
--> statement-breakpoint
ALTER INDEX "uq_measurements_test_name_timestamp_next" RENAME TO "uq_measurements_test_name_timestamp";
