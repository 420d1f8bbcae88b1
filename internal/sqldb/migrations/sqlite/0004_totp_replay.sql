-- +goose Up
-- The last TOTP time step a user signed in with: a code is good only once.
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE users DROP COLUMN totp_last_step;
