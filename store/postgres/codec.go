package postgres

import (
	"errors"
	"math"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/barraiser/barraiser/store/internal/codec"
)

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
			return vec, codec.EncodeFloat32s(v)
		}
	}
	return v, nil
}
