package postgres

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// normTime returns t as it is stored and read back: in UTC, truncated to
// the microsecond, without a monotonic reading.
func normTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// uniqueViolation returns the name of the constraint err violates when it
// is a unique (or primary key) violation, and "" otherwise.
func uniqueViolation(err error) (constraint string, ok bool) {
	var e *pgconn.PgError
	if errors.As(err, &e) && e.Code == "23505" {
		return e.ConstraintName, true
	}
	return "", false
}

// searchable returns v as the embedding column stores it and, when that
// loses information, v's exact bits for the raw column: pgvector refuses
// NaN and infinite values, so those become 0 in the column and the raw
// copy keeps them. raw is nil for every finite vector.
func searchable(v []float32) (vec []float32, raw []byte) {
	for i, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			vec = make([]float32, len(v))
			copy(vec, v[:i])
			for j := i; j < len(v); j++ {
				if y := v[j]; !math.IsNaN(float64(y)) && !math.IsInf(float64(y), 0) {
					vec[j] = y
				}
			}
			return vec, encodeRaw(v)
		}
	}
	return v, nil
}

// encodeRaw packs v as little-endian float32 values.
func encodeRaw(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// decodeRaw unpacks a vector packed by encodeRaw.
func decodeRaw(b []byte) ([]float32, error) {
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("raw vector of %d bytes is not a whole number of float32", len(b))
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}
