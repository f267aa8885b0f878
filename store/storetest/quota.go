package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// testOpenInterviews checks the count behind the quota of open
// interviews: only the owner's interviews in progress, updated since the
// given time, with the earliest such update.
func testOpenInterviews(t *testing.T, s Store) {
	ctx := context.Background()
	check := func(owner string, since time.Time, wantN int, wantOldest time.Time) {
		t.Helper()
		n, oldest, err := s.OpenInterviews(ctx, owner, since)
		if err != nil {
			t.Fatal(err)
		}
		if n != wantN || !oldest.Equal(wantOldest) || oldest.Location() != time.UTC && !oldest.IsZero() {
			t.Errorf("OpenInterviews(%s, %v) = %d, %v; want %d, %v", owner, since, n, oldest, wantN, wantOldest)
		}
	}
	check("o-1", base, 0, time.Time{})
	for i, at := range []time.Duration{0, time.Hour, 2 * time.Hour} {
		iv := newInterview("o-1", "iv-"+string(rune('a'+i)), base.Add(at))
		create(t, s, iv)
	}
	create(t, s, newInterview("o-2", "iv-other", base))
	check("o-1", base, 3, norm(base))
	check("o-1", base.Add(30*time.Minute), 2, norm(base.Add(time.Hour)))
	// An interview that is no longer in progress does not count.
	moveTo(t, s, "iv-b", agent.StatusGrading)
	n, _, err := s.OpenInterviews(ctx, "o-1", base)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("after one moved to grading: %d open, want 2", n)
	}
	check("o-2", base, 1, norm(base))
}
