-- The wide view people query by name: each sample with its metric and tags.
CREATE OR REPLACE VIEW metrics AS
SELECT s.time, r.metric, r.tags, s.value, s.step
FROM samples s
JOIN series r ON r.id = s.series_id;
