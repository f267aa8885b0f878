package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// listBase is the time the interviews of listFixture are created around.
var listBase = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// listFixture is an owner's interviews spread over statuses, roles, plans
// and times, with ties on created_at, and another owner's that match every
// filter. It returns alice's summaries in list order.
func listFixture(t *testing.T, s Store) []agent.InterviewSummary {
	t.Helper()
	whole := listBase
	own := []agent.PlannedPrinciple{{ID: "ownership", Name: "Ownership", QuestionID: "q-own-1"}}
	dd := []agent.PlannedPrinciple{{ID: "dive_deep", Name: "Dive Deep"}}
	for i, c := range []struct {
		at     time.Duration
		role   agent.Role
		plan   []agent.PlannedPrinciple
		status agent.Status
	}{
		{0, agent.RoleSDE, plan, agent.StatusComplete},
		{time.Hour, agent.RoleEM, own, agent.StatusInProgress},
		{time.Hour, agent.RoleSDE, dd, agent.StatusGrading}, // ties on created_at
		{time.Hour, agent.RolePM, plan, agent.StatusInProgress},
		{time.Hour, agent.RoleSDE, nil, agent.StatusInProgress},
		{2 * time.Hour, agent.RoleSDE, own, agent.StatusComplete},
		{2*time.Hour + time.Microsecond, agent.RoleEM, dd, agent.StatusComplete},
		{3 * time.Hour, agent.RoleSDE, []agent.PlannedPrinciple{}, agent.StatusInProgress},
		{24 * time.Hour, agent.RoleTPM, plan, agent.StatusGrading},
		{-24 * time.Hour, agent.RoleSDE, own, agent.StatusInProgress},
		{25 * time.Hour, agent.RoleSDE, plan, agent.StatusComplete},
	} {
		iv := newInterview("alice", fmt.Sprintf("iv-%02d", (i*7)%11), whole.Add(c.at))
		iv.Role, iv.Principles = c.role, c.plan
		create(t, s, iv)
		moveTo(t, s, iv.ID, c.status)
	}
	for i := range 2 {
		create(t, s, newInterview("bob", fmt.Sprintf("iv-bob-%d", i), whole.Add(time.Hour)))
	}
	all, err := s.Interviews(context.Background(), "alice")
	if err != nil || len(all) != 11 {
		t.Fatalf("Interviews(alice) = %d rows, %v; want 11", len(all), err)
	}
	return all
}

// matches reports whether a summary passes f, apart from paging.
func matches(sum agent.InterviewSummary, f agent.ListFilter) bool {
	return (f.Status == "" || sum.Status == f.Status) &&
		(f.Role == "" || sum.Role == f.Role) &&
		(f.Principle == "" || slices.ContainsFunc(sum.Principles, func(p agent.PlannedPrinciple) bool { return p.ID == f.Principle })) &&
		(f.From.IsZero() || !sum.CreatedAt.Before(f.From)) &&
		(f.To.IsZero() || sum.CreatedAt.Before(f.To))
}

func testListInterviews(t *testing.T, s Store) {
	ctx := context.Background()
	all := listFixture(t, s)
	hour := listBase.Add(time.Hour) // four interviews start then
	tests := []struct {
		name string
		f    agent.ListFilter
	}{
		{"everything", agent.ListFilter{}},
		{"in progress", agent.ListFilter{Status: agent.StatusInProgress}},
		{"grading", agent.ListFilter{Status: agent.StatusGrading}},
		{"complete", agent.ListFilter{Status: agent.StatusComplete}},
		{"role", agent.ListFilter{Role: agent.RoleSDE}},
		{"principle", agent.ListFilter{Principle: "ownership"}},
		{"other principle", agent.ListFilter{Principle: "dive_deep"}},
		{"principle in no plan", agent.ListFilter{Principle: "frugality"}},
		{"from inclusive", agent.ListFilter{From: hour}},
		{"to exclusive", agent.ListFilter{To: hour}},
		{"one hour", agent.ListFilter{From: hour, To: hour.Add(time.Hour)}},
		{"empty range", agent.ListFilter{From: hour, To: hour}},
		{"everything at once", agent.ListFilter{Status: agent.StatusInProgress, Role: agent.RoleSDE, Principle: "ownership", To: hour.Add(time.Hour)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := []agent.InterviewSummary{}
			for _, sum := range all {
				if matches(sum, tt.f) {
					want = append(want, sum)
				}
			}
			got, err := s.ListInterviews(ctx, "alice", tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("ListInterviews(%+v)\n got %v\nwant %v", tt.f, summaryIDs(got), summaryIDs(want))
			}
			// Every page size walks the same rows in the same order.
			for _, limit := range []int{1, 2, 3, 5} {
				f := tt.f
				f.Limit = limit
				var walked []agent.InterviewSummary
				for range len(all) + 2 {
					page, err := s.ListInterviews(ctx, "alice", f)
					if err != nil {
						t.Fatal(err)
					}
					if len(page) > limit {
						t.Fatalf("limit %d: a page of %d rows", limit, len(page))
					}
					walked = append(walked, page...)
					if len(page) < limit {
						break
					}
					last := page[len(page)-1]
					f.After = &agent.ListCursor{CreatedAt: last.CreatedAt, ID: last.ID}
				}
				if got := summaryIDs(walked); !slices.Equal(got, summaryIDs(want)) {
					t.Errorf("limit %d walked %v, want %v", limit, got, summaryIDs(want))
				}
			}
		})
	}
	t.Run("other owners", func(t *testing.T) {
		for owner, n := range map[string]int{"bob": 2, "mallory": 0} {
			got, err := s.ListInterviews(ctx, owner, agent.ListFilter{Principle: "ownership"})
			if err != nil || got == nil || len(got) != n {
				t.Errorf("ListInterviews(%s) = %v, %v; want %d rows, not nil", owner, summaryIDs(got), err, n)
			}
		}
	})
}

// testListKeyset checks that a page starts after its cursor's position
// whatever happened to the rows before it: deleted rows and new ones do
// not shift the next page as an offset would.
func testListKeyset(t *testing.T, s Store) {
	ctx := context.Background()
	all := listFixture(t, s)
	// The page ends inside the four interviews that share a created_at.
	first, err := s.ListInterviews(ctx, "alice", agent.ListFilter{Limit: 6})
	if err != nil || !reflect.DeepEqual(first, all[:6]) {
		t.Fatalf("first page = %v, %v; want %v", summaryIDs(first), err, summaryIDs(all[:6]))
	}
	last := first[5]
	if !last.CreatedAt.Equal(all[6].CreatedAt) {
		t.Fatalf("the fixture's page does not end in a tie: %v then %v", last.CreatedAt, all[6].CreatedAt)
	}
	for _, sum := range first[:2] {
		if err := s.DeleteInterview(ctx, "alice", sum.ID); err != nil {
			t.Fatal(err)
		}
	}
	create(t, s, newInterview("alice", "iv-newest", all[0].CreatedAt.Add(time.Hour)))
	create(t, s, newInterview("alice", "iv-zz-tie", last.CreatedAt)) // ties sort by id, after
	after := &agent.ListCursor{CreatedAt: last.CreatedAt, ID: last.ID}
	next, err := s.ListInterviews(ctx, "alice", agent.ListFilter{Limit: 5, After: after})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{}
	for _, sum := range all[6:] {
		if sum.CreatedAt.Equal(last.CreatedAt) {
			want = append(want, sum.ID)
		}
	}
	want = append(want, "iv-zz-tie")
	for _, sum := range all[6:] {
		if !sum.CreatedAt.Equal(last.CreatedAt) {
			want = append(want, sum.ID)
		}
	}
	if got := summaryIDs(next); !slices.Equal(got, want[:5]) {
		t.Errorf("page after %s = %v, want %v", last.ID, got, want[:5])
	}
}

func testOwnerInterviews(t *testing.T, s Store) {
	ctx := context.Background()
	listFixture(t, s)
	appendTurn(t, s, "iv-07", turn(1, "ownership")) // an interview in progress
	appendTurn(t, s, "iv-07", turn(2, "ownership"))
	for _, st := range []agent.Status{"", agent.StatusInProgress, agent.StatusGrading, agent.StatusComplete} {
		got, err := s.OwnerInterviews(ctx, "alice", st)
		if err != nil {
			t.Fatalf("OwnerInterviews(%q): %v", st, err)
		}
		list, err := s.ListInterviews(ctx, "alice", agent.ListFilter{Status: st})
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(list, func(a, b agent.InterviewSummary) int { // oldest first, ties by id
			if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		if len(got) != len(list) {
			t.Fatalf("OwnerInterviews(%q) = %d interviews, want %d", st, len(got), len(list))
		}
		for i, iv := range got {
			if iv.ID != list[i].ID {
				t.Errorf("OwnerInterviews(%q)[%d] = %s, want %s", st, i, iv.ID, list[i].ID)
			}
			if want := get(t, s, "alice", iv.ID); !reflect.DeepEqual(iv, want) {
				t.Errorf("OwnerInterviews(%q) %s\n got %#v\nwant %#v", st, iv.ID, iv, want)
			}
		}
	}
	got, err := s.OwnerInterviews(ctx, "mallory", "")
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("OwnerInterviews(mallory) = %v, %v; want empty, not nil", got, err)
	}
}

func testDeleteInterview(t *testing.T, s Store) {
	ctx := context.Background()
	create(t, s, newInterview("alice", "iv-1", base))
	create(t, s, newInterview("alice", "iv-2", base))
	for seq := 1; seq <= 2; seq++ {
		appendTurn(t, s, "iv-1", turn(seq, "ownership"))
		appendTurn(t, s, "iv-2", turn(seq, "ownership"))
	}
	moveTo(t, s, "iv-1", agent.StatusComplete)
	moveTo(t, s, "iv-2", agent.StatusComplete)
	share := agent.Share{Hash: agent.Hash("share-1"), InterviewID: "iv-1", CreatedAt: base}
	if err := s.CreateShare(ctx, "alice", share); err != nil {
		t.Fatal(err)
	}
	ticket := agent.Ticket{Hash: agent.Hash("ticket-1"), InterviewID: "iv-1", OwnerID: "alice", ExpiresAt: base.Add(time.Hour)}
	if err := s.CreateTicket(ctx, ticket); err != nil {
		t.Fatal(err)
	}

	wantCode(t, "DeleteInterview(bob, alice's)", s.DeleteInterview(ctx, "bob", "iv-1"), agent.ENOTFOUND)
	if iv := get(t, s, "alice", "iv-1"); len(iv.Turns) != 2 || iv.Debrief == nil {
		t.Fatalf("another owner's delete changed the interview: %+v", iv)
	}
	if err := s.DeleteInterview(ctx, "alice", "iv-1"); err != nil {
		t.Fatalf("DeleteInterview: %v", err)
	}
	_, err := s.Interview(ctx, "", "iv-1")
	wantCode(t, "Interview after delete", err, agent.ENOTFOUND)
	_, err = s.SharedInterview(ctx, share.Hash)
	wantCode(t, "SharedInterview after delete", err, agent.ENOTFOUND)
	_, err = s.RedeemTicket(ctx, ticket.Hash, base)
	wantCode(t, "RedeemTicket after delete", err, agent.ENOTFOUND)
	wantCode(t, "DeleteInterview twice", s.DeleteInterview(ctx, "alice", "iv-1"), agent.ENOTFOUND)
	wantCode(t, "AppendTurn after delete", func() error {
		_, _, err := agent.AppendTurn(ctx, s, "iv-1", 0, turn(3, "ownership"))
		return err
	}(), agent.ENOTFOUND)

	// The turns and debrief went too: a new interview reusing the id
	// starts empty.
	create(t, s, newInterview("alice", "iv-1", base))
	if iv := get(t, s, "alice", "iv-1"); len(iv.Turns) != 0 || iv.Debrief != nil {
		t.Errorf("a new interview with a deleted one's id has %d turns, debrief %v", len(iv.Turns), iv.Debrief)
	}
	if iv := get(t, s, "alice", "iv-2"); len(iv.Turns) != 2 || iv.Debrief == nil {
		t.Errorf("deleting iv-1 touched iv-2: %+v", iv)
	}
	// With no owner given, any interview can be deleted.
	if err := s.DeleteInterview(ctx, "", "iv-2"); err != nil {
		t.Errorf("DeleteInterview(no owner): %v", err)
	}
}

func testDeleteOwnerInterviews(t *testing.T, s Store) {
	ctx := context.Background()
	k := createKey(t, s, newKey("k-1", "tool", base))
	owner := k.OwnerID
	for i, at := range []time.Duration{time.Hour, 0, 2 * time.Hour} {
		id := fmt.Sprintf("iv-%d", i)
		create(t, s, newInterview(owner, id, base.Add(at)))
		appendTurn(t, s, id, turn(1, "ownership"))
		if err := s.CreateShare(ctx, owner, agent.Share{Hash: agent.Hash("share-" + id), InterviewID: id, CreatedAt: base}); err != nil {
			t.Fatal(err)
		}
	}
	create(t, s, newInterview("bob", "iv-bob", base))
	if err := s.CreateShare(ctx, "bob", agent.Share{Hash: agent.Hash("share-bob"), InterviewID: "iv-bob", CreatedAt: base}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateTicket(ctx, agent.Ticket{Hash: agent.Hash("t"), InterviewID: "iv-0", OwnerID: owner, KeyID: k.ID,
		ExpiresAt: base.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}

	ids, err := s.DeleteOwnerInterviews(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"iv-1", "iv-0", "iv-2"}; !slices.Equal(ids, want) {
		t.Errorf("DeleteOwnerInterviews = %v, want %v (oldest first)", ids, want)
	}
	if list, err := s.Interviews(ctx, owner); err != nil || len(list) != 0 {
		t.Errorf("after erasing, the owner lists %v, %v", summaryIDs(list), err)
	}
	for _, id := range ids {
		if _, err := s.SharedInterview(ctx, agent.Hash("share-"+id)); agent.ErrorCode(err) != agent.ENOTFOUND {
			t.Errorf("share link of erased %s: %v", id, err)
		}
	}
	_, err = s.RedeemTicket(ctx, agent.Hash("t"), base)
	wantCode(t, "RedeemTicket after erasing", err, agent.ENOTFOUND)
	// Another owner's data, and the key itself, stay.
	if _, err := s.SharedInterview(ctx, agent.Hash("share-bob")); err != nil {
		t.Errorf("bob's share link after erasing another owner: %v", err)
	}
	get(t, s, "bob", "iv-bob")
	wantKey(t, s, k)
	create(t, s, newInterview(owner, "iv-again", base))

	ids, err = s.DeleteOwnerInterviews(ctx, "mallory")
	if err != nil || ids == nil || len(ids) != 0 {
		t.Errorf("DeleteOwnerInterviews(no interviews) = %v, %v; want empty, not nil", ids, err)
	}
}

func testShares(t *testing.T, s Store) {
	ctx := context.Background()
	create(t, s, newInterview("alice", "iv-1", base))
	create(t, s, newInterview("alice", "iv-2", base))
	appendTurn(t, s, "iv-1", turn(1, "ownership"))
	appendTurn(t, s, "iv-1", turn(2, "ownership"))
	moveTo(t, s, "iv-1", agent.StatusComplete)

	a := agent.Share{Hash: agent.Hash("a"), InterviewID: "iv-1", CreatedAt: base}
	b := agent.Share{Hash: agent.Hash("b"), InterviewID: "iv-1", CreatedAt: base.Add(time.Second)}
	c := agent.Share{Hash: agent.Hash("c"), InterviewID: "iv-2", CreatedAt: base}
	for _, sh := range []agent.Share{a, b} {
		if err := s.CreateShare(ctx, "alice", sh); err != nil {
			t.Fatalf("CreateShare: %v", err)
		}
	}
	if err := s.CreateShare(ctx, "", c); err != nil {
		t.Fatalf("CreateShare(no owner): %v", err)
	}
	wantCode(t, "CreateShare(same hash)", s.CreateShare(ctx, "alice", agent.Share{Hash: a.Hash, InterviewID: "iv-2", CreatedAt: base}), agent.ECONFLICT)
	wantCode(t, "CreateShare(bob, alice's)", s.CreateShare(ctx, "bob", agent.Share{Hash: agent.Hash("x"), InterviewID: "iv-1", CreatedAt: base}), agent.ENOTFOUND)
	wantCode(t, "CreateShare(unknown)", s.CreateShare(ctx, "alice", agent.Share{Hash: agent.Hash("y"), InterviewID: "no-such", CreatedAt: base}), agent.ENOTFOUND)
	for _, h := range []string{"x", "y"} {
		_, err := s.SharedInterview(ctx, agent.Hash(h))
		wantCode(t, "SharedInterview(refused link "+h+")", err, agent.ENOTFOUND)
	}

	want := get(t, s, "alice", "iv-1")
	for _, sh := range []agent.Share{a, b} {
		got, err := s.SharedInterview(ctx, sh.Hash)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("SharedInterview\n got %#v\nwant %#v", got, want)
		}
	}
	_, err := s.SharedInterview(ctx, agent.Hash("unknown"))
	wantCode(t, "SharedInterview(unknown)", err, agent.ENOTFOUND)

	_, err = s.RevokeShares(ctx, "bob", "iv-1")
	wantCode(t, "RevokeShares(bob, alice's)", err, agent.ENOTFOUND)
	_, err = s.RevokeShares(ctx, "alice", "no-such")
	wantCode(t, "RevokeShares(unknown)", err, agent.ENOTFOUND)
	if n, err := s.RevokeShares(ctx, "alice", "iv-1"); err != nil || n != 2 {
		t.Errorf("RevokeShares = %d, %v; want 2", n, err)
	}
	for _, sh := range []agent.Share{a, b} {
		_, err := s.SharedInterview(ctx, sh.Hash)
		wantCode(t, "SharedInterview(revoked)", err, agent.ENOTFOUND)
	}
	if n, err := s.RevokeShares(ctx, "alice", "iv-1"); err != nil || n != 0 {
		t.Errorf("RevokeShares again = %d, %v; want 0", n, err)
	}
	if got, err := s.SharedInterview(ctx, c.Hash); err != nil || got.ID != "iv-2" {
		t.Errorf("another interview's link after revoking = %v, %v", got, err)
	}
	// A revoked link's hash may be stored again, as a new link.
	if err := s.CreateShare(ctx, "alice", a); err != nil {
		t.Errorf("CreateShare after revoking: %v", err)
	}
}
