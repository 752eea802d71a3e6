-- Until (test_name, timestamp) became unique, recording a pair again added a row. The latest
-- recording is the one that stands, as if it had replaced the others when it arrived.
DELETE FROM confidence_measurements AS older
WHERE EXISTS (
  SELECT 1 FROM confidence_measurements AS newer
  WHERE newer.test_name = older.test_name AND newer."timestamp" = older."timestamp" AND newer.id > older.id
);
