package agent

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSign(t *testing.T) {
	// The MAC was computed with Python's hmac module, not with this code.
	at := time.Unix(1700000000, 999_000_000)
	got := Sign("whsec_test", at, []byte(`{"a":1}`))
	want := "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
	if got != want {
		t.Errorf("Sign = %q, want %q", got, want)
	}
}

func TestVerifySignature(t *testing.T) {
	body := []byte(`{"id":"d-1","type":"debrief.ready"}`)
	at := time.Unix(1700000000, 0)
	header := Sign("whsec_right", at, body)
	tests := []struct {
		name   string
		secret string
		header string
		body   []byte
		now    time.Time
		ok     bool
	}{
		{"valid", "whsec_right", header, body, at, true},
		{"valid a little later", "whsec_right", header, body, at.Add(4 * time.Minute), true},
		{"valid beside another scheme", "whsec_right", header + ",v0=abc", body, at, true},
		{"a second v1 from a rotated secret", "whsec_right", "t=1700000000,v1=00," + strings.TrimPrefix(header, "t=1700000000,"), body, at, true},
		{"wrong secret", "whsec_wrong", header, body, at, false},
		{"body changed", "whsec_right", header, []byte(`{"id":"d-2","type":"debrief.ready"}`), at, false},
		{"replayed too late", "whsec_right", header, body, at.Add(6 * time.Minute), false},
		{"from the future", "whsec_right", header, body, at.Add(-6 * time.Minute), false},
		{"time changed", "whsec_right", strings.Replace(header, "t=1700000000", "t=1700000001", 1), body, at, false},
		{"no time", "whsec_right", strings.TrimPrefix(header, "t=1700000000,"), body, at, false},
		{"no signature", "whsec_right", "t=1700000000", body, at, false},
		{"empty", "whsec_right", "", body, at, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifySignature(tt.secret, tt.header, tt.body, tt.now, 5*time.Minute)
			if (err == nil) != tt.ok {
				t.Errorf("VerifySignature(%q) = %v, want ok %v", tt.header, err, tt.ok)
			}
		})
	}
}

func TestValidateWebhookURL(t *testing.T) {
	tests := []struct {
		raw, want string
		ok        bool
	}{
		{"https://hooks.example.com/barraiser", "https://hooks.example.com/barraiser", true},
		{"  http://127.0.0.1:9000/in?token=abc  ", "http://127.0.0.1:9000/in?token=abc", true},
		{"https://[::1]:8443/", "https://[::1]:8443/", true},
		{"", "", false},
		{"hooks.example.com/in", "", false},
		{"/relative/path", "", false},
		{"ftp://example.com/in", "", false},
		{"javascript:alert(1)", "", false},
		{"https://", "", false},
		{"https:///path-only", "", false},
		{"https://:443/", "", false},
		{"https://user:pass@example.com/", "", false},
		{"https://example.com/#frag", "", false},
		{"https://example.com/%zz", "", false},
		{"https://example.com/" + strings.Repeat("a", 2048), "", false},
	}
	for _, tt := range tests {
		got, err := ValidateWebhookURL(tt.raw)
		if tt.ok && (err != nil || got != tt.want) {
			t.Errorf("ValidateWebhookURL(%q) = %q, %v; want %q", tt.raw, got, err, tt.want)
		}
		if !tt.ok && ErrorCode(err) != EINVALIDWEBHOOKURL {
			t.Errorf("ValidateWebhookURL(%q) = %q, %v; want %s", tt.raw, got, err, EINVALIDWEBHOOKURL)
		}
	}
}

func TestNewWebhookSecret(t *testing.T) {
	a, b := NewWebhookSecret(), NewWebhookSecret()
	if !strings.HasPrefix(a, "whsec_") || !isHex(strings.TrimPrefix(a, "whsec_"), 64) || a == b {
		t.Errorf("NewWebhookSecret = %q, %q", a, b)
	}
}

func TestWebhookBackoff(t *testing.T) {
	want := []time.Duration{10 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute,
		time.Hour, time.Hour, time.Hour}
	for i, w := range want {
		if got := WebhookBackoff(i+1, WebhookBackoffBase); got != w {
			t.Errorf("WebhookBackoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := WebhookBackoff(0, WebhookBackoffBase); got != 10*time.Second {
		t.Errorf("WebhookBackoff(0) = %v, want the first step", got)
	}
	if got := WebhookBackoff(3, 10*time.Millisecond); got != 60*time.Millisecond {
		t.Errorf("WebhookBackoff(3, 10ms) = %v, want 60ms", got)
	}
}

func TestNextWebhookAttempt(t *testing.T) {
	created := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		attempt int
		now     time.Time
		want    time.Time
		retry   bool
	}{
		{"first failure", 1, created, created.Add(10 * time.Second), true},
		{"fourth failure", 4, created.Add(2 * time.Minute), created.Add(7 * time.Minute), true},
		{"lands exactly on 24 h", 9, created.Add(23 * time.Hour), created.Add(24 * time.Hour), true},
		{"would pass 24 h", 9, created.Add(23*time.Hour + time.Second), time.Time{}, false},
		{"long after", 2, created.Add(48 * time.Hour), time.Time{}, false},
	}
	for _, tt := range tests {
		got, retry := NextWebhookAttempt(created, tt.attempt, tt.now, WebhookBackoffBase, WebhookMaxAge)
		if retry != tt.retry || !got.Equal(tt.want) {
			t.Errorf("%s: NextWebhookAttempt = %v, %v; want %v, %v", tt.name, got, retry, tt.want, tt.retry)
		}
	}
}

func TestNewDebriefEvent(t *testing.T) {
	at := time.Date(2025, 3, 1, 12, 0, 0, 123000, time.FixedZone("x", 3600))
	d := &Debrief{Recommendation: Hire, Summary: "ok", CreatedAt: at}
	id, body, err := NewDebriefEvent("iv-1", d, at)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	keys := []string{}
	for k := range got {
		keys = append(keys, k)
	}
	if len(id) != 32 || got["id"] != id || got["type"] != "debrief.ready" || got["interview_id"] != "iv-1" ||
		got["created_at"] != "2025-03-01T11:00:00.000123Z" || len(got) != 5 {
		t.Errorf("event %s (keys %v)", body, keys)
	}
	var ev WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil || ev.Debrief == nil || ev.Debrief.Summary != "ok" {
		t.Errorf("event debrief %+v, %v", ev.Debrief, err)
	}
	id2, _, _ := NewDebriefEvent("iv-1", d, at)
	if id2 == id {
		t.Error("two events share an id")
	}
	if !reflect.DeepEqual(d, &Debrief{Recommendation: Hire, Summary: "ok", CreatedAt: at}) {
		t.Error("NewDebriefEvent changed the debrief")
	}
}
