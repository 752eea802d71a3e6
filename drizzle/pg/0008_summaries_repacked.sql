-- test_summaries rows written before migration 0006 (among them every row 0004 filled in from the
-- measurements) sit on full pages, where an update has no room for its new version: the first
-- retention that mends every summary then moved each row to a new page, tripling the table (100,000
-- tests: 1,450 pages to 4,391) and leaving `statistics` summing it in parallel, 57-164 ms. CLUSTER
-- rewrites the table at its fillfactor (50), in key order, while the table waits (0.37 s for 100,000
-- tests here).
CLUSTER test_summaries USING pk_test_summaries;
