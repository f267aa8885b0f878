package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// histogram is one series of a Prometheus histogram: its buckets'
// cumulative counts by upper bound, as the text format exposes them.
type histogram struct {
	// Name is the metric's name without the _bucket suffix; Labels are its
	// labels other than le, as name="value" pairs in order.
	Name   string
	Labels string
	// Buckets are sorted by upper bound; the last is +Inf.
	Buckets []bucket
	Count   float64
	Sum     float64
}

// bucket is the number of observations at most LE.
type bucket struct {
	LE    float64
	Count float64
}

// key names the series among the others.
func (h *histogram) key() string { return h.Name + "{" + h.Labels + "}" }

// quantile estimates the q-quantile the way Prometheus's
// histogram_quantile does: it finds the bucket holding rank q*count and
// interpolates linearly inside it, taking 0 as the lower bound of the
// first bucket. A rank in the +Inf bucket gives the highest finite bound.
// With no observations it returns NaN.
func (h *histogram) quantile(q float64) float64 {
	if len(h.Buckets) == 0 {
		return math.NaN()
	}
	total := h.Buckets[len(h.Buckets)-1].Count
	if total <= 0 {
		return math.NaN()
	}
	rank := q * total
	prevLE, prevCount := 0.0, 0.0
	for i, b := range h.Buckets {
		if b.Count >= rank && b.Count > prevCount {
			if math.IsInf(b.LE, 1) {
				if i == 0 {
					return math.NaN()
				}
				return h.Buckets[i-1].LE
			}
			return prevLE + (b.LE-prevLE)*(rank-prevCount)/(b.Count-prevCount)
		}
		prevLE, prevCount = b.LE, b.Count
	}
	return h.Buckets[len(h.Buckets)-1].LE
}

// maxBound returns the upper bound of the highest bucket that gained an
// observation, the most that can be said of the maximum; +Inf when only
// the +Inf bucket holds it, and NaN with no observations.
func (h *histogram) maxBound() float64 {
	prev := 0.0
	out := math.NaN()
	for _, b := range h.Buckets {
		if b.Count > prev {
			out = b.LE
		}
		prev = b.Count
	}
	return out
}

// since returns h less the observations of before, the same series scraped
// earlier, so that only what happened in between is left. A series whose
// counts went down (the server restarted) is returned as it is.
func (h *histogram) since(before *histogram) *histogram {
	if before == nil || len(before.Buckets) != len(h.Buckets) || before.Count > h.Count {
		return h
	}
	out := &histogram{Name: h.Name, Labels: h.Labels, Count: h.Count - before.Count, Sum: h.Sum - before.Sum}
	for i, b := range h.Buckets {
		if before.Buckets[i].LE != b.LE || before.Buckets[i].Count > b.Count {
			return h
		}
		out.Buckets = append(out.Buckets, bucket{LE: b.LE, Count: b.Count - before.Buckets[i].Count})
	}
	return out
}

// parseHistograms reads the histograms of a Prometheus text exposition,
// by series key. Lines it does not understand are skipped: the text may
// hold any other kind of metric.
func parseHistograms(text string) map[string]*histogram {
	out := map[string]*histogram{}
	sums, counts := map[string]float64{}, map[string]float64{}
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, labels, value, ok := parseSample(line)
		if !ok {
			continue
		}
		switch {
		case strings.HasSuffix(name, "_bucket"):
			var le string
			var rest []string
			for _, l := range labels {
				if l[0] == "le" {
					le = l[1]
				} else {
					rest = append(rest, l[0]+"="+strconv.Quote(l[1]))
				}
			}
			bound, err := strconv.ParseFloat(le, 64)
			if le == "" || err != nil {
				continue
			}
			h := &histogram{Name: strings.TrimSuffix(name, "_bucket"), Labels: strings.Join(rest, ",")}
			if old, ok := out[h.key()]; ok {
				h = old
			} else {
				out[h.key()] = h
			}
			h.Buckets = append(h.Buckets, bucket{LE: bound, Count: value})
		case strings.HasSuffix(name, "_sum"), strings.HasSuffix(name, "_count"):
			var pairs []string
			for _, l := range labels {
				pairs = append(pairs, l[0]+"="+strconv.Quote(l[1]))
			}
			if base, ok := strings.CutSuffix(name, "_sum"); ok {
				sums[base+"{"+strings.Join(pairs, ",")+"}"] = value
			} else {
				counts[strings.TrimSuffix(name, "_count")+"{"+strings.Join(pairs, ",")+"}"] = value
			}
		}
	}
	for k, h := range out {
		sort.Slice(h.Buckets, func(i, j int) bool { return h.Buckets[i].LE < h.Buckets[j].LE })
		if len(h.Buckets) == 0 || !math.IsInf(h.Buckets[len(h.Buckets)-1].LE, 1) {
			delete(out, k) // not a whole histogram
			continue
		}
		h.Sum = sums[k]
		h.Count = h.Buckets[len(h.Buckets)-1].Count
		if c, ok := counts[k]; ok {
			h.Count = c
		}
	}
	return out
}

// parseSample splits one sample line, name{labels} value [timestamp],
// into its parts; labels come in their written order. Escaped label
// values are unescaped.
func parseSample(line string) (name string, labels [][2]string, value float64, ok bool) {
	i := strings.IndexAny(line, "{ \t")
	if i <= 0 {
		return "", nil, 0, false
	}
	name, rest := line[:i], line[i:]
	if rest[0] == '{' {
		rest = rest[1:]
		for {
			rest = strings.TrimLeft(rest, " \t,")
			if strings.HasPrefix(rest, "}") {
				rest = rest[1:]
				break
			}
			eq := strings.IndexByte(rest, '=')
			if eq <= 0 || len(rest) < eq+2 || rest[eq+1] != '"' {
				return "", nil, 0, false
			}
			key := strings.TrimSpace(rest[:eq])
			rest = rest[eq+2:]
			var val strings.Builder
			closed := false
			for j := 0; j < len(rest); j++ {
				c := rest[j]
				if c == '\\' && j+1 < len(rest) {
					j++
					switch rest[j] {
					case 'n':
						val.WriteByte('\n')
					default:
						val.WriteByte(rest[j])
					}
					continue
				}
				if c == '"' {
					rest = rest[j+1:]
					closed = true
					break
				}
				val.WriteByte(c)
			}
			if !closed {
				return "", nil, 0, false
			}
			labels = append(labels, [2]string{key, val.String()})
		}
	}
	fields := strings.Fields(rest)
	if len(fields) < 1 || len(fields) > 2 {
		return "", nil, 0, false
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return "", nil, 0, false
	}
	return name, labels, v, true
}

// scrapeMetrics fetches and parses the histograms at url.
func scrapeMetrics(ctx context.Context, hc *http.Client, url string) (map[string]*histogram, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	req.Header.Set("Accept", "text/plain")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("metrics: GET %s: %s", url, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, fmt.Errorf("metrics: read %s: %w", url, err)
	}
	return parseHistograms(string(b)), nil
}

// ServerHistogram is what the server's own histogram says of the run.
type ServerHistogram struct {
	// Series is the metric's name and labels.
	Series string
	// Seconds says the values are seconds (the name ends in _seconds).
	Seconds bool
	Count   float64
	// P50 and P99 are estimated from the buckets; MaxBound is the upper
	// bound of the highest bucket reached.
	P50, P99, MaxBound float64
}

// serverHistograms picks the series of after whose names match re and
// estimates their quantiles over what changed since before (which may be
// nil), in the order of their keys.
func serverHistograms(before, after map[string]*histogram, re *regexp.Regexp) []ServerHistogram {
	var out []ServerHistogram
	for _, k := range slices.Sorted(maps.Keys(after)) {
		h := after[k]
		if !re.MatchString(h.Name) {
			continue
		}
		d := h.since(before[k])
		out = append(out, ServerHistogram{Series: k, Seconds: strings.HasSuffix(h.Name, "_seconds"), Count: d.Count,
			P50: d.quantile(0.50), P99: d.quantile(0.99), MaxBound: d.maxBound()})
	}
	return out
}
