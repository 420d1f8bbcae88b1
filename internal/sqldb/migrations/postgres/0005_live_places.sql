-- +goose Up
-- Lists count and page only places in use (not archived): indexes that
-- hold just those let both be answered from the index alone.
CREATE INDEX places_live_name ON places (org_id, name_fold, id) WHERE archived_at IS NULL;
CREATE INDEX places_live_region ON places (org_id, region) WHERE archived_at IS NULL;
CREATE INDEX places_live_authority ON places (org_id, authority) WHERE archived_at IS NULL;
-- Name search matches inside search_fold: with it in the index, the match
-- is tested on index entries without reading the rows.
CREATE INDEX places_live_search ON places (org_id, search_fold) WHERE archived_at IS NULL;
CREATE INDEX places_live_country_search ON places (org_id, country, search_fold) WHERE archived_at IS NULL;

-- +goose Down
DROP INDEX places_live_country_search;
DROP INDEX places_live_search;
DROP INDEX places_live_authority;
DROP INDEX places_live_region;
DROP INDEX places_live_name;
