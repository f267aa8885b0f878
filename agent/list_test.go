package agent_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
)

func TestListQueryFilter(t *testing.T) {
	rt := newService(t).Retriever
	cursor := agent.ListCursor{CreatedAt: time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC), ID: "abc"}
	from := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		q    agent.ListQuery
		want agent.ListFilter
		code string
	}{
		{"defaults", agent.ListQuery{}, agent.ListFilter{Limit: agent.DefaultListLimit}, ""},
		{"everything", agent.ListQuery{Limit: "100", Cursor: cursor.Encode(), Status: "complete", Principle: "ownership",
			Role: "em", From: "2024-05-01T00:00:00Z", To: "2024-05-02T02:00:00+02:00"},
			agent.ListFilter{Limit: 100, After: &cursor, Status: agent.StatusComplete, Principle: "ownership", Role: agent.RoleEM,
				From: from, To: from.Add(24 * time.Hour)}, ""},
		{"limit 1", agent.ListQuery{Limit: "1"}, agent.ListFilter{Limit: 1}, ""},
		{"bounds round up to the microsecond", agent.ListQuery{From: "2024-05-01T00:00:00.0000001Z", To: "2024-05-01T00:00:00.000001Z"},
			agent.ListFilter{Limit: agent.DefaultListLimit, From: from.Add(time.Microsecond), To: from.Add(time.Microsecond)}, ""},
		{"limit 0", agent.ListQuery{Limit: "0"}, agent.ListFilter{}, agent.EINVALIDLIMIT},
		{"limit 101", agent.ListQuery{Limit: "101"}, agent.ListFilter{}, agent.EINVALIDLIMIT},
		{"limit not a number", agent.ListQuery{Limit: "ten"}, agent.ListFilter{}, agent.EINVALIDLIMIT},
		{"negative limit", agent.ListQuery{Limit: "-5"}, agent.ListFilter{}, agent.EINVALIDLIMIT},
		{"cursor not base64", agent.ListQuery{Cursor: "!!"}, agent.ListFilter{}, agent.EINVALIDCURSOR},
		{"cursor not JSON", agent.ListQuery{Cursor: "bm90IGpzb24"}, agent.ListFilter{}, agent.EINVALIDCURSOR},
		{"cursor without id", agent.ListQuery{Cursor: "eyJ0IjoiMjAyNC0wNS0wNlQwNzowODowOVoifQ"}, agent.ListFilter{}, agent.EINVALIDCURSOR},
		{"cursor with a bad time", agent.ListQuery{Cursor: "eyJ0IjoieWVzdGVyZGF5IiwiaWQiOiJhYmMifQ"}, agent.ListFilter{}, agent.EINVALIDCURSOR},
		{"status", agent.ListQuery{Status: "done"}, agent.ListFilter{}, agent.EINVALIDSTATUS},
		{"principle", agent.ListQuery{Principle: "charisma"}, agent.ListFilter{}, agent.EUNKNOWNPRINCIPLE},
		{"role", agent.ListQuery{Role: "chef"}, agent.ListFilter{}, agent.EINVALIDROLE},
		{"from", agent.ListQuery{From: "2024-05-01"}, agent.ListFilter{}, agent.EINVALIDDATE},
		{"to", agent.ListQuery{To: "yesterday"}, agent.ListFilter{}, agent.EINVALIDDATE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.q.Filter(rt)
			if code := agent.ErrorCode(err); code != tt.code {
				t.Fatalf("Filter(%+v) error %v, want code %q", tt.q, err, tt.code)
			}
			if tt.code == "" && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Filter(%+v)\n got %+v\nwant %+v", tt.q, got, tt.want)
			}
		})
	}
}

func TestCursorRoundTrip(t *testing.T) {
	for _, c := range []agent.ListCursor{
		{CreatedAt: time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC), ID: "5f0c"},
		{CreatedAt: time.Date(1999, 12, 31, 23, 59, 59, 0, time.FixedZone("x", 3600)), ID: "id with spaces & \"quotes\""},
	} {
		text := c.Encode()
		got, err := agent.DecodeCursor(text)
		if err != nil {
			t.Fatalf("DecodeCursor(%q): %v", text, err)
		}
		if !got.CreatedAt.Equal(c.CreatedAt) || got.ID != c.ID || got.CreatedAt.Location() != time.UTC {
			t.Errorf("round trip of %+v = %+v", c, got)
		}
	}
}

// TestListPage pages through an owner's interviews with the service: the
// next cursor is set exactly while rows remain.
func TestListPage(t *testing.T) {
	svc := newService(t)
	ctx := context.Background()
	owner := agent.NewID()
	for range 5 {
		if _, err := svc.Create(ctx, owner, agent.CreateRequest{Role: "sde", Level: "L5", Principles: []string{"ownership"}}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := svc.Store.Interviews(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	var ids, walked []string
	for _, s := range all {
		ids = append(ids, s.ID)
	}
	q := agent.ListQuery{Limit: "2"}
	for pages := 1; ; pages++ {
		page, err := svc.ListPage(ctx, owner, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.Interviews {
			walked = append(walked, s.ID)
		}
		if page.NextCursor == nil {
			if pages != 3 {
				t.Errorf("%d pages of 2 for 5 interviews, want 3", pages)
			}
			break
		}
		if pages > 3 {
			t.Fatal("the pages do not end")
		}
		q.Cursor = *page.NextCursor
	}
	if !reflect.DeepEqual(walked, ids) {
		t.Errorf("walked %v, want %v", walked, ids)
	}
	page, err := svc.ListPage(ctx, owner, agent.ListQuery{Limit: "5"})
	if err != nil || len(page.Interviews) != 5 || page.NextCursor != nil {
		t.Errorf("a page holding every row: %d rows, next %v, %v", len(page.Interviews), page.NextCursor, err)
	}
	page, err = svc.ListPage(ctx, agent.NewID(), agent.ListQuery{})
	if err != nil || page.Interviews == nil || len(page.Interviews) != 0 || page.NextCursor != nil {
		t.Errorf("an owner with nothing: %+v, %v", page, err)
	}
}
