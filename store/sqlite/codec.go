package sqlite

import (
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/barraiser/barraiser/store/internal/codec"
)

// timeLayout is how timestamps are stored: UTC, RFC 3339 with a fixed six
// fractional digits. The fixed width makes the text sort in time order
// (RFC3339Nano trims trailing zeros, which would not), and time.RFC3339Nano
// parses it back.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

// fmtTime formats t for storage.
func fmtTime(t time.Time) string {
	return codec.NormTime(t).Format(timeLayout)
}

// parseTime parses a stored timestamp.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: bad timestamp %q: %w", s, err)
	}
	return t.UTC(), nil
}

// isConstraint reports whether err is a UNIQUE or PRIMARY KEY violation.
func isConstraint(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return true
	}
	return false
}
