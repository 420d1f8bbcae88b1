-- +goose Up
-- Files kept with a place (photographs of the premises, scans of
-- documents): in the store, so several app servers share them; images
-- are stripped of metadata before they get here.
CREATE TABLE place_attachments (
    id             TEXT PRIMARY KEY,
    place_id       TEXT NOT NULL REFERENCES places(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size           BIGINT NOT NULL,
    people_visible BOOLEAN NOT NULL DEFAULT FALSE,
    data           BYTEA NOT NULL,
    created_by     TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX place_attachments_place ON place_attachments (place_id, created_at);

-- +goose Down
DROP TABLE place_attachments;
