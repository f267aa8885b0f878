package webhook

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/barraiser/barraiser/agent"
)

func TestNewSender(t *testing.T) {
	s := NewSender()
	if s.Client.Timeout != 10*time.Second || s.Client.CheckRedirect == nil {
		t.Errorf("NewSender: timeout %v, redirect policy set %v", s.Client.Timeout, s.Client.CheckRedirect != nil)
	}
}

func TestSend(t *testing.T) {
	var redirected atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch {
		case r.Method != http.MethodPost, r.Header.Get("Content-Type") != "application/json",
			r.Header.Get(HeaderDelivery) != "d-1", string(body) != `{"id":"d-1"}`:
			w.WriteHeader(http.StatusBadRequest)
		case agent.VerifySignature("whsec_s", r.Header.Get(HeaderSignature), body, time.Now(), time.Minute) != nil:
			w.WriteHeader(http.StatusUnauthorized)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 1<<20))
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) { redirected.Add(1) })
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body) // so that the server notices the client leaving
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	s := NewSender()
	s.Client.Timeout = 200 * time.Millisecond // for /slow
	tests := []struct {
		path   string
		status int
		ok     bool
	}{
		{"/ok", 204, true},
		{"/big", 200, true},
		{"/moved", 307, false},
		{"/broken", 502, false},
		{"/slow", 0, false},
		{"/missing", 404, false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			d := agent.WebhookDelivery{ID: "d-1", URL: srv.URL + tt.path + "?token=hush", Secret: "whsec_s", Body: []byte(`{"id":"d-1"}`)}
			status, err := s.Send(context.Background(), d, time.Now())
			if status != tt.status || (err == nil) != tt.ok {
				t.Errorf("Send(%s) = %d, %v; want %d, ok %v", tt.path, status, err, tt.status, tt.ok)
			}
			if err != nil && (strings.Contains(err.Error(), "hush") || strings.Contains(err.Error(), "whsec_")) {
				t.Errorf("the error %q shows the URL or the secret", err)
			}
		})
	}
	if n := redirected.Load(); n != 0 {
		t.Errorf("a redirect was followed %d times", n)
	}
}
