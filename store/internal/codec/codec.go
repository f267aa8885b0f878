// Package codec holds what both stores encode alike: timestamps as they
// are stored and read back, turns as they are about to be stored, and
// vectors packed as bytes.
package codec

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/barraiser/barraiser/agent"
)

// NormTime returns t as it is stored and read back: in UTC, truncated to
// the microsecond, without a monotonic reading.
func NormTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// Stamp returns t normalised by NormTime, or now when t is zero.
func Stamp(t time.Time) time.Time {
	if t.IsZero() {
		t = time.Now()
	}
	return NormTime(t)
}

// StampTurns checks that ts can be appended together (agent.CheckConsecutive)
// and returns a copy of them with every At stamped by Stamp.
func StampTurns(ts []agent.Turn) ([]agent.Turn, error) {
	if err := agent.CheckConsecutive(ts); err != nil {
		return nil, err
	}
	ts = slices.Clone(ts)
	for i := range ts {
		ts[i].At = Stamp(ts[i].At)
	}
	return ts, nil
}

// EncodeFloat32s packs v as little-endian float32 values.
func EncodeFloat32s(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// DecodeFloat32s unpacks a vector packed by EncodeFloat32s.
func DecodeFloat32s(b []byte) ([]float32, error) {
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("vector of %d bytes is not a whole number of float32", len(b))
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}
