package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(Config) bool
		fail  bool
	}{
		{"defaults", nil, nil, func(c Config) bool {
			return c.Addr == "127.0.0.1:8080" && c.DataDir == "./data" && c.DatabaseURL == "" && !c.LLMEnabled() &&
				c.LLMTimeout == 30*time.Second && c.LLMRetries == 2 && c.EmbeddingModel == ""
		}, false},
		{"environment", nil, map[string]string{"ADDR": ":9000", "DATA_DIR": "/tmp/x", "OPENAI_API_KEY": "sk-1", "LLM_TIMEOUT": "5s", "ALLOWED_ORIGINS": "a.example, b.example"}, func(c Config) bool {
			return c.Addr == ":9000" && c.DataDir == "/tmp/x" && c.LLMEnabled() && c.LLMTimeout == 5*time.Second && len(c.Origins) == 2 && c.Origins[1] == "b.example"
		}, false},
		{"a base URL alone turns the LLM on", nil, map[string]string{"OPENAI_BASE_URL": "http://localhost:11434/v1"}, func(c Config) bool { return c.LLMEnabled() }, false},
		{"flags win over the environment", []string{"-addr", ":1"}, map[string]string{"ADDR": ":2"}, func(c Config) bool { return c.Addr == ":1" }, false},
		{"bad timeout", []string{"-llm-timeout", "soon"}, nil, nil, true},
		{"bad retries", nil, map[string]string{"LLM_RETRIES": "-1"}, nil, true},
		{"bad dimension", []string{"-embedding-dim", "0"}, nil, nil, true},
		{"stray argument", []string{"extra"}, nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(tt.args, env(tt.env), io.Discard)
			if (err != nil) != tt.fail {
				t.Fatalf("err = %v", err)
			}
			if !tt.fail && !tt.check(c) {
				t.Errorf("config %+v", c)
			}
		})
	}
}

// TestParseSizeLimits checks MAX_MESSAGE_BYTES and MAX_ANSWER_CHARS: their
// defaults, values from the environment and flags, and that a value that
// is not a positive number, or a message limit too small for the longest
// answer, stops the server from starting with an error naming the setting
// to change.
func TestParseSizeLimits(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		wantBytes int64
		wantChars int
		// errHas, when set, is what the error must say; the parse must fail.
		errHas []string
	}{
		{"defaults", nil, nil, 65536, 8000, nil},
		{"environment", nil, map[string]string{"MAX_MESSAGE_BYTES": "2048", "MAX_ANSWER_CHARS": "50"}, 2048, 50, nil},
		{"flags", []string{"-max-message-bytes", "200000", "-max-answer-chars", "40000"}, nil, 200000, 40000, nil},
		{"exactly enough room", nil, map[string]string{"MAX_MESSAGE_BYTES": "1224", "MAX_ANSWER_CHARS": "50"}, 1224, 50, nil},
		{"one byte short", nil, map[string]string{"MAX_MESSAGE_BYTES": "1223", "MAX_ANSWER_CHARS": "50"}, 0, 0, []string{"MAX_MESSAGE_BYTES", "at least 1224"}},
		{"a longer answer than the default message fits", nil, map[string]string{"MAX_ANSWER_CHARS": "20000"}, 0, 0, []string{"MAX_MESSAGE_BYTES", "at least 81024"}},
		{"zero characters", nil, map[string]string{"MAX_ANSWER_CHARS": "0"}, 0, 0, []string{"MAX_ANSWER_CHARS", "positive"}},
		{"negative bytes", []string{"-max-message-bytes", "-1"}, nil, 0, 0, []string{"MAX_MESSAGE_BYTES", "positive"}},
		{"not a number", nil, map[string]string{"MAX_MESSAGE_BYTES": "64K"}, 0, 0, []string{"MAX_MESSAGE_BYTES"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.errHas != nil {
				if err == nil {
					t.Fatalf("parsed %d bytes, %d characters; want an error", c.MaxMessageBytes, c.MaxAnswerChars)
				}
				for _, s := range tt.errHas {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not say %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.MaxMessageBytes != tt.wantBytes || c.MaxAnswerChars != tt.wantChars {
				t.Errorf("got %d bytes, %d characters; want %d, %d", c.MaxMessageBytes, c.MaxAnswerChars, tt.wantBytes, tt.wantChars)
			}
		})
	}
}

// TestParseBodyLimit checks MAX_BODY_BYTES: its default, values from the
// environment and flags, and that a value that is not a number of bytes,
// or is below the least a request needs, stops the server from starting.
func TestParseBodyLimit(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		want   int64
		errHas string
	}{
		{"default", nil, nil, 65536, ""},
		{"environment", nil, map[string]string{"MAX_BODY_BYTES": "16384"}, 16384, ""},
		{"flag", []string{"-max-body-bytes", "1048576"}, nil, 1048576, ""},
		{"the least allowed", nil, map[string]string{"MAX_BODY_BYTES": "4096"}, 4096, ""},
		{"below it", nil, map[string]string{"MAX_BODY_BYTES": "4095"}, 0, "at least 4096"},
		{"not a number", nil, map[string]string{"MAX_BODY_BYTES": "64K"}, 0, "MAX_BODY_BYTES"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("parsed %d bytes, error %v; want an error saying %q", c.MaxBodyBytes, err, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.MaxBodyBytes != tt.want {
				t.Errorf("got %d bytes, want %d", c.MaxBodyBytes, tt.want)
			}
		})
	}
}
