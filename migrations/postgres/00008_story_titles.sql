-- +goose Up
-- Story titles: the names candidates give their stories in the story bank.
--
-- A story is the answers about one principle in one interview, so a title
-- is keyed by the two. A story without a row here is titled by the first
-- sentence of its opening answer. owner_id repeats the interview's owner
-- so that one owner's titles are read without a join. Deleting the
-- interview, alone or with all of its owner's, deletes its titles.
CREATE TABLE story_titles (
    interview_id text NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    principle    text NOT NULL,
    owner_id     text NOT NULL,
    title        text NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (interview_id, principle)
);

CREATE INDEX story_titles_owner ON story_titles (owner_id);

-- +goose Down
DROP TABLE story_titles;
