package agent_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoLabelledWordsInSource fails when a tracked file that is not a test
// repeats four words in a row from a labelled answer, whether in the shared
// sets or in our own under agent/testdata. A grader whose code, corpus or
// comments hold the sentences it is measured on is tuned to them rather
// than to stories in general. Words are counted across line breaks; runs made
// only of principle names, or holding three common words, do not count.
func TestNoLabelledWordsInSource(t *testing.T) {
	sets := labelledSets(t)
	if len(sets) == 0 {
		t.Skip("no labelled sets found; skipping the four-word check")
	}
	grams := map[string]string{} // four words -> the answer's id
	for _, s := range sets {
		for _, e := range s.entries {
			for _, text := range e.texts() {
				w := labelWords(text)
				for i := 0; i+4 <= len(w); i++ {
					g := strings.Join(w[i:i+4], " ")
					if countedRun(g) {
						grams[g] = e.ID
					}
				}
			}
		}
	}
	root := repoRoot(t)
	out, err := exec.Command("git", "-C", root, "ls-files").Output()
	if err != nil {
		t.Skipf("git ls-files: %v; skipping the four-word check", err)
	}
	hits := 0
	for _, f := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.HasSuffix(f, "_test.go") || strings.Contains("/"+f, "/testdata/") || strings.HasSuffix(f, ".sum") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil || bytes.IndexByte(b, 0) >= 0 {
			continue // removed in the work tree, or binary
		}
		w := labelWords(string(b))
		for i := 0; i+4 <= len(w); i++ {
			g := strings.Join(w[i:i+4], " ")
			if id, ok := grams[g]; ok {
				hits++
				if hits <= 30 {
					t.Errorf("%s repeats %q from labelled answer %s", f, g, id)
				}
			}
		}
	}
	if hits > 30 {
		t.Errorf("... %d repeated runs in all", hits)
	}
}

var labelWordRE = regexp.MustCompile(`[a-z0-9$%']+`)

// labelWords splits text into the words the check compares: lowercased runs
// of letters, digits, $, % and apostrophes.
func labelWords(s string) []string {
	return labelWordRE.FindAllString(strings.ToLower(strings.ReplaceAll(s, "’", "'")), -1)
}

// principleNameWords are the words of the principles' names: everyone's
// words, not the labelled answers'.
var principleNameWords = wordSet(`customer obsession ownership frugality invent and simplify are right a lot
	learn and be curious hire and develop the best insist on the highest standards think big bias for action
	have backbone disagree and commit strive to be earth's best employer success and scale bring broad
	responsibility deliver results earn trust dive deep`)

var commonWords = wordSet(`a an and as at be but by did do for from had have he her his i if in is it its me my no not
	of on or our she so that the their them then they this to up us was we were what when which who will with would you`)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// countedRun reports whether a four-word run is distinctive enough to count:
// not made only of principle-name words, and holding fewer than three
// common words.
func countedRun(g string) bool {
	names, common := true, 0
	for _, w := range strings.Fields(g) {
		names = names && principleNameWords[w]
		if commonWords[w] {
			common++
		}
	}
	return !names && common < 3
}

// repoRoot is the directory holding go.mod, searched upward from the test's
// working directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for range 6 {
		if fileExists(filepath.Join(dir, "go.mod")) {
			return dir
		}
		dir = filepath.Dir(dir)
	}
	t.Fatal("go.mod not found above the test's directory")
	return ""
}

func TestCountedRun(t *testing.T) {
	for _, c := range []struct {
		run  string
		want bool
	}{
		{"deliver results earn trust", false},  // principle names only
		{"i was on the", false},                // three common words
		{"the refund queue doubled", true},     // distinctive
		{"we cut the backlog", true},           // two common words
		{"and the team was", false},            // three common words
		{"think big about latency", true},      // a name among other words
		{"customer obsession bias for", false}, // name words only
	} {
		if got := countedRun(c.run); got != c.want {
			t.Errorf("countedRun(%q) = %v, want %v", c.run, got, c.want)
		}
	}
}
