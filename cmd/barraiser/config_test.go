package main

import (
	"io"
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
