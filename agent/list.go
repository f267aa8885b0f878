package agent

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Bounds of a page of interviews.
const (
	DefaultListLimit = 20
	MaxListLimit     = 100
	// maxCursorBytes bounds the text of a cursor a client sends back.
	maxCursorBytes = 512
)

// ListFilter selects and pages the interviews Store.ListInterviews returns.
// Its zero value selects every interview of the owner.
type ListFilter struct {
	// Limit is the most rows returned; 0 returns every match.
	Limit int
	// After, when set, starts the page just past this position of the
	// list order.
	After *ListCursor
	// Status keeps the interviews in this status.
	Status Status
	// Principle keeps the interviews whose plan includes this principle id.
	Principle string
	// Role keeps the interviews for this role.
	Role Role
	// From and To bound created_at, From included and To excluded; a zero
	// time leaves that side open. Stores compare them to the microsecond.
	From, To time.Time
}

// ListCursor is a position in the list order, created_at descending and
// then id ascending: the last row of the page before.
type ListCursor struct {
	CreatedAt time.Time
	ID        string
}

// cursorText is the encoded form of a ListCursor before base64.
type cursorText struct {
	At string `json:"t"`
	ID string `json:"id"`
}

// Encode returns the cursor as opaque, URL-safe text.
func (c ListCursor) Encode() string {
	b, err := json.Marshal(cursorText{c.CreatedAt.UTC().Format(time.RFC3339Nano), c.ID})
	if err != nil {
		panic(fmt.Sprintf("agent: encode cursor: %v", err)) // two strings always encode
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor reads the text Encode made; anything else is EINVALIDCURSOR.
func DecodeCursor(s string) (ListCursor, error) {
	bad := Errorf(EINVALIDCURSOR, "cursor is not one this server handed out; pass next_cursor from the previous page as it is")
	if len(s) > maxCursorBytes {
		return ListCursor{}, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return ListCursor{}, bad
	}
	var ct cursorText
	if err := json.Unmarshal(b, &ct); err != nil || ct.ID == "" {
		return ListCursor{}, bad
	}
	at, err := time.Parse(time.RFC3339Nano, ct.At)
	if err != nil {
		return ListCursor{}, bad
	}
	return ListCursor{CreatedAt: at.UTC(), ID: ct.ID}, nil
}

// ListQuery holds the query parameters of a list request as sent, before
// they are checked.
type ListQuery struct {
	Limit, Cursor, Status, Principle, Role, From, To string
}

// Filter checks q and returns the filter it asks for, with Limit set to
// the page size. Principle ids are checked against rt. Each bad parameter
// has its own code: EINVALIDLIMIT, EINVALIDCURSOR, EINVALIDSTATUS,
// EUNKNOWNPRINCIPLE, EINVALIDROLE or EINVALIDDATE.
func (q ListQuery) Filter(rt Retriever) (ListFilter, error) {
	f := ListFilter{Limit: DefaultListLimit, Status: Status(q.Status), Principle: q.Principle, Role: Role(q.Role)}
	if q.Limit != "" {
		n, err := strconv.Atoi(q.Limit)
		if err != nil || n < 1 || n > MaxListLimit {
			return ListFilter{}, Errorf(EINVALIDLIMIT, "limit must be a whole number from 1 to %d; got %q", MaxListLimit, q.Limit)
		}
		f.Limit = n
	}
	if q.Cursor != "" {
		c, err := DecodeCursor(q.Cursor)
		if err != nil {
			return ListFilter{}, err
		}
		f.After = &c
	}
	switch f.Status {
	case "", StatusInProgress, StatusGrading, StatusComplete:
	default:
		return ListFilter{}, Errorf(EINVALIDSTATUS, "status must be one of in_progress, grading, complete; got %q", q.Status)
	}
	if f.Principle != "" {
		if _, ok := rt.Principle(f.Principle); !ok {
			return ListFilter{}, Errorf(EUNKNOWNPRINCIPLE, "unknown principle %q", f.Principle)
		}
	}
	if f.Role != "" && !f.Role.Valid() {
		return ListFilter{}, Errorf(EINVALIDROLE, "role must be one of sde, em, pm, tpm, general; got %q", q.Role)
	}
	var err error
	if f.From, err = parseListDate("from", q.From); err != nil {
		return ListFilter{}, err
	}
	if f.To, err = parseListDate("to", q.To); err != nil {
		return ListFilter{}, err
	}
	return f, nil
}

// parseListDate reads an RFC 3339 time, rounded up to the microsecond;
// empty text is the zero time.
func parseListDate(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, Errorf(EINVALIDDATE, "%s must be an RFC 3339 time such as 2024-05-06T07:08:09Z; got %q", name, s)
	}
	// Stores keep microseconds: rounding up keeps both bounds exact.
	return t.UTC().Add(time.Microsecond - 1).Truncate(time.Microsecond), nil
}

// InterviewPage is one page of an owner's interviews. NextCursor is nil on
// the last page.
type InterviewPage struct {
	Interviews []InterviewSummary `json:"interviews"`
	NextCursor *string            `json:"next_cursor"`
}

// ListPage returns the page of the owner's interviews that q asks for,
// newest first. It reads one row past the page to know whether another
// page follows, so NextCursor is nil exactly on the last page.
func (s *Service) ListPage(ctx context.Context, ownerID string, q ListQuery) (*InterviewPage, error) {
	f, err := q.Filter(s.Retriever)
	if err != nil {
		return nil, err
	}
	size := f.Limit
	f.Limit++
	rows, err := s.Store.ListInterviews(ctx, ownerID, f)
	if err != nil {
		return nil, fmt.Errorf("agent: list interviews: %w", err)
	}
	page := &InterviewPage{Interviews: rows}
	if page.Interviews == nil {
		page.Interviews = []InterviewSummary{}
	}
	if len(rows) > size {
		page.Interviews = rows[:size]
		last := rows[size-1]
		next := ListCursor{CreatedAt: last.CreatedAt, ID: last.ID}.Encode()
		page.NextCursor = &next
	}
	return page, nil
}
