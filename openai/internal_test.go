package openai

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		header http.Header
		want   time.Duration
		ok     bool
	}{
		{http.Header{"Retry-After": {"2"}}, 2 * time.Second, true},
		{http.Header{"Retry-After": {"0.5"}}, 500 * time.Millisecond, true},
		{http.Header{"Retry-After": {now.Add(7 * time.Second).Format(http.TimeFormat)}}, 7 * time.Second, true},
		{http.Header{"Retry-After": {now.Add(-time.Hour).Format(http.TimeFormat)}}, 0, true},
		{http.Header{"Retry-After-Ms": {"1500"}, "Retry-After": {"2"}}, 1500 * time.Millisecond, true},
		{http.Header{"Retry-After": {"soon"}}, 0, false},
		{http.Header{"Retry-After": {"-3"}}, 0, false},
		{http.Header{}, 0, false},
	}
	for _, tc := range tests {
		got, ok := retryAfter(tc.header, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%v: %v %v, want %v %v", tc.header, got, ok, tc.want, tc.ok)
		}
	}
}

func TestBackoff(t *testing.T) {
	for i, limit := range []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 5 * time.Second, 5 * time.Second} {
		if i == 3 {
			i = 10
		}
		if i == 4 {
			i = 62
		}
		for range 100 {
			if d := backoff(i); d < 0 || d >= limit {
				t.Fatalf("backoff(%d) = %v, want below %v", i, d, limit)
			}
		}
	}
	c := &caller{}
	h := &retryHint{}
	h.after.Store(int64(time.Minute))
	h.set.Store(true)
	if d, fromServer := c.wait(0, h); d != maxRetryAfter || !fromServer {
		t.Errorf("Retry-After of a minute waits %v", d)
	}
}

func TestDecodeObject(t *testing.T) {
	tests := []struct {
		text string
		gap  string
		err  string
	}{
		{`{"probe":true,"gap":"role","reason":"r"}`, "role", ""},
		{"```json\n{\"probe\":true,\"gap\":\"data\",\"reason\":\"r\"}\n```", "data", ""},
		{"Sure! Here it is:\n{\"probe\": true, \"gap\": \"impact\", \"reason\": \"a {brace} inside\"} Hope that helps.", "impact", ""},
		{"{not json} then {\"probe\":false,\"gap\":\"x\",\"reason\":\"\"}", "", ""},
		{"", "", "empty answer"},
		{"no object here", "", "not JSON"},
		{`{"probe":"yes"}`, "", "does not fit"},
	}
	for _, tc := range tests {
		d, err := parseDecision(tc.text)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !retryable(err) {
				t.Errorf("%q: err %v, want a retryable one saying %q", tc.text, err, tc.err)
			}
			continue
		}
		if err != nil || string(d.Gap) != tc.gap {
			t.Errorf("%q: %+v, %v", tc.text, d, err)
		}
	}
}

func TestRelay(t *testing.T) {
	var shown []string
	r := &relay{emit: func(d string) { shown = append(shown, d) }}
	r.begin()
	r.delta("Tell ")
	r.delta("me ")
	r.begin() // retried: same start, then more
	r.delta("Tell me ")
	r.delta("about ")
	r.delta("it.")
	if got := strings.Join(shown, "|"); got != "Tell |me |about |it." {
		t.Errorf("relayed %q", got)
	}
	r.begin() // retried again, worded differently: nothing more is sent
	r.delta("Could you ")
	r.delta("tell me more?")
	if got := strings.Join(shown, ""); got != "Tell me about it." {
		t.Errorf("relayed %q", got)
	}
}

// TestParseGradeRedFlags: red flags are read from strict and lenient
// answers alike, folded to the schema's spelling; a lenient model may leave
// them out. Which names are flags at all is the agent's to check.
func TestParseGradeRedFlags(t *testing.T) {
	const head = `{"score":2,"evidence":[],"strengths":[],"concerns":[],"star":{"situation":true,"task":false,"action":true,"result":false},"advice":"a"`
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"strict", head + `,"red_flags":["blame","implausible_claims"]}`, []string{"blame", "implausible_claims"}},
		{"none", head + `,"red_flags":[]}`, nil},
		{"left out", head + `}`, nil},
		{"null", head + `,"red_flags":null}`, nil},
		{"fenced and spelled loosely", "```json\n" + head + `,"red_flags":["Keyword Stuffing"," no-personal-contribution ",""]}` + "\n```", []string{"keyword_stuffing", "no_personal_contribution"}},
		{"unknown names are passed on", "Here it is: " + head + `,"red_flags":["rockstar"]}`, []string{"rockstar"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := parseGrade(tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(g.RedFlags, tc.want) || *g.Score != 2 {
				t.Errorf("red flags %q score %d, want %q", g.RedFlags, *g.Score, tc.want)
			}
		})
	}
	if _, err := parseGrade(head + `,"red_flags":"blame"}`); err == nil || !retryable(err) {
		t.Errorf("red_flags as a string: err %v, want a retryable one", err)
	}
}
