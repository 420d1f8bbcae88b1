-- +goose Up
ALTER TABLE places ADD COLUMN parent_id TEXT REFERENCES places(id);
ALTER TABLE places ADD COLUMN names TEXT NOT NULL DEFAULT '[]';
ALTER TABLE places ADD COLUMN search_fold TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN municipality TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN lat DOUBLE PRECISION;
ALTER TABLE places ADD COLUMN lon DOUBLE PRECISION;
ALTER TABLE places ADD COLUMN authority TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN capacity INTEGER;
ALTER TABLE places ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE places ADD COLUMN categories TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN official_id TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN website TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN archived_at TIMESTAMPTZ;
UPDATE places SET search_fold = name_fold;
CREATE UNIQUE INDEX places_official_id ON places (org_id, official_id) WHERE official_id <> '';
CREATE INDEX places_parent ON places (parent_id);

-- Population over time: dated snapshots of capacity, headcount and staff.
CREATE TABLE place_population (
    id         TEXT PRIMARY KEY,
    place_id   TEXT NOT NULL REFERENCES places(id) ON DELETE CASCADE,
    on_date    TEXT NOT NULL,
    capacity   INTEGER,
    headcount  INTEGER,
    staff      INTEGER,
    source     TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX place_population_place ON place_population (place_id, on_date);

-- Every stored version of a place, for its history.
CREATE TABLE place_history (
    place_id   TEXT NOT NULL REFERENCES places(id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL,
    changed_by TEXT NOT NULL DEFAULT '',
    snapshot   TEXT NOT NULL,
    PRIMARY KEY (place_id, version)
);

-- How often an organisation means to visit each type of place.
CREATE TABLE visit_intervals (
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    type   TEXT NOT NULL,
    months INTEGER NOT NULL,
    PRIMARY KEY (org_id, type)
);

-- +goose Down
DROP TABLE visit_intervals;
DROP TABLE place_history;
DROP TABLE place_population;
