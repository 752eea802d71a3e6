-- Analysis reads each test's instants and values from this index alone (see the schema). On a large
-- table building it takes a while: about 20 s per 10 million rows here, during which writes wait.
CREATE INDEX `idx_measurements_test_series` ON `confidence_measurements` (`test_name`,`timestamp`,`confidence`);
