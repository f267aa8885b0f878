package prompts

import "testing"

func TestRender(t *testing.T) {
	tests := []struct {
		name string
		data any
		want string
	}{
		{"rules_opening_v1.tmpl", map[string]any{"Transition": false, "Question": "Tell me about a launch."}, "Tell me about a launch."},
		{"rules_opening_v1.tmpl", map[string]any{"Transition": true, "Question": "Tell me about a launch."}, "Thank you. Let's turn to another area. Tell me about a launch."},
		{"rules_follow_up_v1.tmpl", map[string]any{"Quote": "we fixed it", "Probe": "What was your part?"}, `You said "we fixed it". What was your part?`},
		{"rules_follow_up_v1.tmpl", map[string]any{"Quote": "", "Probe": "What was your part?"}, "What was your part?"},
		// Candidate text is data: template syntax in it is not executed.
		{"rules_follow_up_v1.tmpl", map[string]any{"Quote": "{{.Probe}}", "Probe": "Why?"}, `You said "{{.Probe}}". Why?`},
	}
	for _, tt := range tests {
		if got := Render(tt.name, tt.data); got != tt.want {
			t.Errorf("Render(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestRenderMissingKeyPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a missing key did not panic")
		}
	}()
	Render("rules_opening_v1.tmpl", map[string]any{"Question": "Q"})
}
