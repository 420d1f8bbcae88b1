-- +goose Up
-- The places list can be ordered by country, by type or by last change.
CREATE INDEX places_live_country ON places (org_id, country, name_fold, id) WHERE archived_at IS NULL;
CREATE INDEX places_live_type ON places (org_id, type, name_fold, id) WHERE archived_at IS NULL;
CREATE INDEX places_live_updated ON places (org_id, updated_at, id) WHERE archived_at IS NULL;

-- +goose Down
DROP INDEX places_live_updated;
DROP INDEX places_live_type;
DROP INDEX places_live_country;
