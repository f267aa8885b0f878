package main

import (
	"bufio"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// The deployment files live at the repository root, two levels up.
const deployRoot = "../.."

// deployLoadCompose loads compose.yaml the way `docker compose` would, but with a
// fixed project name, no .env file and only env for interpolation, so the
// result never depends on the machine's environment.
func deployLoadCompose(t *testing.T, env map[string]string, profiles ...string) *types.Project {
	t.Helper()
	var kv []string
	for k, v := range env {
		kv = append(kv, k+"="+v)
	}
	opts, err := cli.NewProjectOptions(
		[]string{filepath.Join(deployRoot, "compose.yaml")},
		cli.WithName("barraiser-test"),
		cli.WithWorkingDirectory(deployRoot),
		cli.WithEnv(kv),
		cli.WithProfiles(profiles),
	)
	if err != nil {
		t.Fatalf("compose options: %v", err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("load compose.yaml: %v", err)
	}
	return p
}

func deployService(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, ok := p.Services[name]
	if !ok {
		t.Fatalf("service %q missing; have %v", name, p.ServiceNames())
	}
	return s
}

// deployEnv returns a service's environment variable; unset and null both
// count as absent.
func deployEnv(s types.ServiceConfig, key string) (string, bool) {
	v, ok := s.Environment[key]
	if !ok || v == nil {
		return "", false
	}
	return *v, true
}

func deployHasVolume(s types.ServiceConfig, source, target string) bool {
	return slices.ContainsFunc(s.Volumes, func(v types.ServiceVolumeConfig) bool {
		return v.Type == types.VolumeTypeVolume && v.Source == source && v.Target == target
	})
}

func deployPublishes(s types.ServiceConfig, published string, target uint32) bool {
	return slices.ContainsFunc(s.Ports, func(p types.ServicePortConfig) bool {
		return p.Published == published && p.Target == target
	})
}

func TestComposeNoVersionKey(t *testing.T) {
	f, err := os.Open(filepath.Join(deployRoot, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "version:") {
			t.Errorf("compose.yaml has an obsolete top-level version key: %q", sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestComposeDatabase(t *testing.T) {
	p := deployLoadCompose(t, nil)
	db := deployService(t, p, "db")

	if db.Image != "pgvector/pgvector:pg17" {
		t.Errorf("db image = %q, want pgvector/pgvector:pg17", db.Image)
	}
	for _, k := range []string{"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"} {
		if v, ok := deployEnv(db, k); !ok || v != "barraiser" {
			t.Errorf("db %s = %q (set %v), want barraiser", k, v, ok)
		}
	}

	hc := db.HealthCheck
	if hc == nil || hc.Disable || len(hc.Test) == 0 {
		t.Fatalf("db has no healthcheck: %+v", hc)
	}
	if !slices.Contains([]string{"CMD", "CMD-SHELL"}, hc.Test[0]) {
		t.Errorf("db healthcheck test starts with %q, want CMD or CMD-SHELL", hc.Test[0])
	}
	if cmd := strings.Join(hc.Test[1:], " "); !strings.Contains(cmd, "pg_isready") ||
		!strings.Contains(cmd, "-U barraiser") || !strings.Contains(cmd, "-d barraiser") {
		t.Errorf("db healthcheck runs %q, want pg_isready -U barraiser -d barraiser", cmd)
	}
	if hc.Interval == nil || hc.Timeout == nil || hc.Retries == nil || hc.StartPeriod == nil {
		t.Errorf("db healthcheck should set interval, timeout, retries and start_period: %+v", hc)
	}

	if !deployHasVolume(db, "pgdata", "/var/lib/postgresql/data") {
		t.Errorf("db does not mount named volume pgdata at /var/lib/postgresql/data: %+v", db.Volumes)
	}
	if _, ok := p.Volumes["pgdata"]; !ok {
		t.Errorf("volume pgdata is not declared at top level: %v", p.VolumeNames())
	}
	if len(db.Profiles) != 0 {
		t.Errorf("db is behind profiles %v; it must always run", db.Profiles)
	}
}

func TestComposeApp(t *testing.T) {
	p := deployLoadCompose(t, nil)
	app := deployService(t, p, "app")
	db := deployService(t, p, "db")

	if app.Build == nil {
		t.Fatal("app has no build section")
	}
	root, err := filepath.Abs(deployRoot)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Clean(app.Build.Context) != root {
		t.Errorf("app build context = %q, want the repository root %q", app.Build.Context, root)
	}
	if df := app.Build.Dockerfile; df != "Dockerfile" {
		t.Errorf("app dockerfile = %q, want Dockerfile", df)
	}
	if _, err := os.Stat(filepath.Join(root, app.Build.Dockerfile)); err != nil {
		t.Errorf("app dockerfile: %v", err)
	}

	if !deployPublishes(app, "8080", 8080) {
		t.Errorf("app does not publish 8080:8080: %+v", app.Ports)
	}
	if dep, ok := app.DependsOn["db"]; !ok {
		t.Errorf("app does not depend on db: %+v", app.DependsOn)
	} else if dep.Condition != types.ServiceConditionHealthy {
		t.Errorf("app depends on db with condition %q, want %s", dep.Condition, types.ServiceConditionHealthy)
	}
	if app.Restart != types.RestartPolicyUnlessStopped {
		t.Errorf("app restart = %q, want %s", app.Restart, types.RestartPolicyUnlessStopped)
	}
	if len(app.Profiles) != 0 {
		t.Errorf("app is behind profiles %v; it must always run", app.Profiles)
	}

	if addr, _ := deployEnv(app, "ADDR"); addr != "0.0.0.0:8080" {
		t.Errorf("app ADDR = %q, want 0.0.0.0:8080", addr)
	}

	raw, ok := deployEnv(app, "DATABASE_URL")
	if !ok {
		t.Fatal("app has no DATABASE_URL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("app DATABASE_URL %q: %v", raw, err)
	}
	user, _ := deployEnv(db, "POSTGRES_USER")
	pass, _ := deployEnv(db, "POSTGRES_PASSWORD")
	name, _ := deployEnv(db, "POSTGRES_DB")
	gotPass, _ := u.User.Password()
	checks := []struct {
		what, got, want string
	}{
		{"scheme", u.Scheme, "postgres"},
		{"host", u.Hostname(), "db"},
		{"port", u.Port(), "5432"},
		{"user", u.User.Username(), user},
		{"password", gotPass, pass},
		{"database", strings.TrimPrefix(u.Path, "/"), name},
		{"sslmode", u.Query().Get("sslmode"), "disable"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("app DATABASE_URL %s = %q, want %q (from the db service)", c.what, c.got, c.want)
		}
	}
}

// The model settings come from the host environment and default to empty,
// which the server reads as unset.
func TestComposeAppEnvironmentPassThrough(t *testing.T) {
	keys := []string{"OPENAI_API_KEY", "OPENAI_BASE_URL", "LLM_MODEL"}
	tests := []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{
			name: "empty host environment",
			env:  nil,
			want: map[string]string{"OPENAI_API_KEY": "", "OPENAI_BASE_URL": "", "LLM_MODEL": ""},
		},
		{
			name: "openai",
			env:  map[string]string{"OPENAI_API_KEY": "sk-test"},
			want: map[string]string{"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": "", "LLM_MODEL": ""},
		},
		{
			name: "ollama",
			env:  map[string]string{"OPENAI_BASE_URL": "http://ollama:11434/v1", "LLM_MODEL": "llama3.1"},
			want: map[string]string{"OPENAI_API_KEY": "", "OPENAI_BASE_URL": "http://ollama:11434/v1", "LLM_MODEL": "llama3.1"},
		},
		{
			name: "host cannot override the container's listen address or database",
			env:  map[string]string{"ADDR": "127.0.0.1:9999", "DATABASE_URL": "postgres://elsewhere/x"},
			want: map[string]string{"OPENAI_API_KEY": "", "OPENAI_BASE_URL": "", "LLM_MODEL": ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := deployService(t, deployLoadCompose(t, tt.env), "app")
			for _, k := range keys {
				got, ok := deployEnv(app, k)
				if !ok {
					t.Errorf("app %s is not set", k)
				} else if got != tt.want[k] {
					t.Errorf("app %s = %q, want %q", k, got, tt.want[k])
				}
			}
			if addr, _ := deployEnv(app, "ADDR"); addr != "0.0.0.0:8080" {
				t.Errorf("app ADDR = %q, want 0.0.0.0:8080", addr)
			}
			if u, _ := deployEnv(app, "DATABASE_URL"); !strings.Contains(u, "@db:5432/") {
				t.Errorf("app DATABASE_URL = %q, want the db service", u)
			}
		})
	}
}

func TestComposeOllamaProfile(t *testing.T) {
	tests := []struct {
		name       string
		profiles   []string
		wantOllama bool
	}{
		{"no profile", nil, false},
		{"other profile", []string{"debug"}, false},
		{"ollama profile", []string{"ollama"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := deployLoadCompose(t, nil, tt.profiles...)
			for _, always := range []string{"db", "app"} {
				deployService(t, p, always)
			}
			o, enabled := p.Services["ollama"]
			if enabled != tt.wantOllama {
				t.Fatalf("ollama enabled = %v with profiles %v, want %v (services %v)",
					enabled, tt.profiles, tt.wantOllama, p.ServiceNames())
			}
			if !enabled {
				d, ok := p.DisabledServices["ollama"]
				if !ok {
					t.Fatalf("ollama is not defined at all (disabled services %v)", p.DisabledServiceNames())
				}
				o = d
			}
			if !slices.Equal(o.Profiles, []string{"ollama"}) {
				t.Errorf("ollama profiles = %v, want [ollama]", o.Profiles)
			}
			if !strings.HasPrefix(o.Image, "ollama/ollama") {
				t.Errorf("ollama image = %q, want ollama/ollama", o.Image)
			}
			if !deployHasVolume(o, "ollama", "/root/.ollama") {
				t.Errorf("ollama does not mount named volume ollama at /root/.ollama: %+v", o.Volumes)
			}
			if _, ok := p.Volumes["ollama"]; !ok {
				t.Errorf("volume ollama is not declared at top level: %v", p.VolumeNames())
			}
			if !slices.ContainsFunc(o.Ports, func(p types.ServicePortConfig) bool { return p.Target == 11434 }) {
				t.Errorf("ollama does not expose 11434: %+v", o.Ports)
			}
		})
	}
}

// deployInstruction is one Dockerfile instruction with its continuation lines
// joined.
type deployInstruction struct {
	cmd  string // upper case, e.g. FROM
	args string
}

// deployParseDockerfile splits a Dockerfile into instructions, dropping comments
// and parser directives and joining backslash continuations.
func deployParseDockerfile(t *testing.T, path string) []deployInstruction {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []deployInstruction
	var cur strings.Builder
	flush := func() {
		line := strings.TrimSpace(cur.String())
		cur.Reset()
		if line == "" {
			return
		}
		cmd, args, _ := strings.Cut(line, " ")
		out = append(out, deployInstruction{strings.ToUpper(cmd), strings.TrimSpace(args)})
	}
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") {
			continue // comments may sit between continuation lines too
		}
		if rest, ok := strings.CutSuffix(trimmed, `\`); ok {
			cur.WriteString(rest + " ")
			continue
		}
		cur.WriteString(trimmed)
		flush()
	}
	flush()
	return out
}

// deployStages groups the instructions by FROM; instructions before the first FROM
// (global ARGs) are dropped.
func deployStages(ins []deployInstruction) [][]deployInstruction {
	var out [][]deployInstruction
	for _, in := range ins {
		if in.cmd == "FROM" {
			out = append(out, nil)
		}
		if len(out) > 0 {
			out[len(out)-1] = append(out[len(out)-1], in)
		}
	}
	return out
}

func deployFind(ins []deployInstruction, cmd string) []string {
	var args []string
	for _, in := range ins {
		if in.cmd == cmd {
			args = append(args, in.args)
		}
	}
	return args
}

func TestDockerfile(t *testing.T) {
	ins := deployParseDockerfile(t, filepath.Join(deployRoot, "Dockerfile"))
	st := deployStages(ins)
	if len(st) < 2 {
		t.Fatalf("Dockerfile has %d FROM stages, want a multi-stage build", len(st))
	}
	build, final := st[0], st[len(st)-1]

	tests := []struct {
		name  string
		check func() (bool, string)
	}{
		{"build stage is a Go image", func() (bool, string) {
			from := build[0].args
			return strings.Contains(from, "golang:"), from
		}},
		{"modules are downloaded before the source is copied", func() (bool, string) {
			modCopy, download, srcCopy := -1, -1, -1
			for i, in := range build {
				switch {
				case in.cmd == "COPY" && strings.Contains(in.args, "go.mod") && strings.Contains(in.args, "go.sum"):
					modCopy = i
				case in.cmd == "RUN" && strings.Contains(in.args, "go mod download"):
					download = i
				case in.cmd == "COPY" && strings.HasPrefix(in.args, ". "):
					srcCopy = i
				}
			}
			return modCopy >= 0 && modCopy < download && download < srcCopy,
				"COPY go.mod go.sum, then go mod download, then COPY . ."
		}},
		{"static build of ./cmd/barraiser", func() (bool, string) {
			for _, run := range deployFind(build, "RUN") {
				if strings.Contains(run, "CGO_ENABLED=0") && strings.Contains(run, "go build") &&
					strings.Contains(run, "./cmd/barraiser") && strings.Contains(run, "-X main.Version=") {
					return true, run
				}
			}
			return false, strings.Join(deployFind(build, "RUN"), " | ")
		}},
		{"final stage runs as a non-root user", func() (bool, string) {
			users := deployFind(final, "USER")
			if len(users) == 0 {
				return false, "no USER"
			}
			user, _, _ := strings.Cut(users[len(users)-1], ":")
			return user != "" && user != "root" && user != "0", users[len(users)-1]
		}},
		{"final stage exposes 8080", func() (bool, string) {
			for _, e := range deployFind(final, "EXPOSE") {
				for _, port := range strings.Fields(e) {
					if port == "8080" || port == "8080/tcp" {
						return true, e
					}
				}
			}
			return false, strings.Join(deployFind(final, "EXPOSE"), " ")
		}},
		{"final stage listens on all interfaces", func() (bool, string) {
			env := strings.Join(deployFind(final, "ENV"), " ")
			return strings.Contains(env, "ADDR=0.0.0.0:8080"), env
		}},
		{"final stage keeps data in a volume", func() (bool, string) {
			env := strings.Join(deployFind(final, "ENV"), " ")
			vol := strings.Join(deployFind(final, "VOLUME"), " ")
			return strings.Contains(env, "DATA_DIR=/data") && strings.Contains(vol, "/data"), env + " / " + vol
		}},
		{"data directory is owned by the runtime user", func() (bool, string) {
			for _, c := range deployFind(final, "COPY") {
				if strings.Contains(c, "--chown=") && strings.HasSuffix(c, " /data") {
					return true, c
				}
			}
			return false, strings.Join(deployFind(final, "COPY"), " | ")
		}},
		{"entrypoint is the binary, serve by default", func() (bool, string) {
			ep := strings.Join(deployFind(final, "ENTRYPOINT"), " ")
			cmd := strings.Join(deployFind(final, "CMD"), " ")
			return strings.Contains(ep, "/barraiser") && strings.Contains(cmd, "serve"), ep + " " + cmd
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ok, got := tt.check(); !ok {
				t.Errorf("got %s", got)
			}
		})
	}
}

// The build context must leave out local data, git history and test binaries.
func TestDockerfileIgnore(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(deployRoot, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			patterns = append(patterns, line)
		}
	}
	for _, want := range []string{"data/", ".git", ".env"} {
		if !slices.Contains(patterns, want) {
			t.Errorf(".dockerignore lacks %q: %v", want, patterns)
		}
	}
	if !slices.ContainsFunc(patterns, func(p string) bool { return strings.HasSuffix(p, "*.test") }) {
		t.Errorf(".dockerignore does not exclude test binaries: %v", patterns)
	}
	for _, p := range patterns {
		for _, needed := range []string{"go.mod", "go.sum", "cmd", "*.go"} {
			if strings.TrimPrefix(strings.TrimSuffix(p, "/"), "/") == needed {
				t.Errorf(".dockerignore excludes %q, which the build needs", p)
			}
		}
	}
}
