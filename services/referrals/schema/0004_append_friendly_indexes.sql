-- Listing indexes in ascending order. New requests have the latest create
-- time, so they now land at the end of their location's range (a descending
-- index put each at its front, and every page split left half a page
-- empty). Lists still read newest first: SQLite walks an index backwards.
DROP INDEX requests_by_location;
DROP INDEX requests_by_location_status;
CREATE INDEX requests_by_location ON requests (location_id, create_time_us, id);
CREATE INDEX requests_by_location_status ON requests (location_id, status, create_time_us, id);
