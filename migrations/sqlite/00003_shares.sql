-- Share links: read-only views of one interview for anyone holding the
-- link's token.
--
-- Only the SHA-256 of a token is kept, as a BLOB. Revoking deletes the
-- rows, and deleting an interview deletes its links with it. Timestamps
-- follow 00001_init.sql.

-- +goose Up
CREATE TABLE shares (
    hash         BLOB PRIMARY KEY, -- SHA-256 of the token's text
    interview_id TEXT NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL
) WITHOUT ROWID;

-- For revoking an interview's links and for the cascade.
CREATE INDEX shares_interview ON shares (interview_id);

-- +goose Down
DROP TABLE shares;
