-- Story titles: the names candidates give their stories in the story bank.
--
-- A story is the answers about one principle in one interview, so a title
-- is keyed by the two. A story without a row here is titled by the first
-- sentence of its opening answer. owner_id repeats the interview's owner
-- so that one owner's titles are read without a join. Deleting the
-- interview, alone or with all of its owner's, deletes its titles.
-- Timestamps follow 00001_init.sql.

-- +goose Up
CREATE TABLE story_titles (
    interview_id TEXT NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    principle    TEXT NOT NULL,
    owner_id     TEXT NOT NULL,
    title        TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (interview_id, principle)
) WITHOUT ROWID;

CREATE INDEX story_titles_owner ON story_titles (owner_id);

-- +goose Down
DROP TABLE story_titles;
