-- +goose Up
-- Share links: read-only views of one interview for anyone holding the
-- link's token.
--
-- Only the SHA-256 of a token is kept. Revoking deletes the rows, and
-- deleting an interview deletes its links with it.
CREATE TABLE shares (
    hash         bytea PRIMARY KEY, -- SHA-256 of the token's text
    interview_id text NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL
);

-- For revoking an interview's links and for the cascade.
CREATE INDEX shares_interview ON shares (interview_id);

-- +goose Down
DROP TABLE shares;
