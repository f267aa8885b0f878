package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/barraiser/barraiser/openai/openaitest"
	"github.com/coder/websocket"
	goopenai "github.com/sashabaranov/go-openai"
)

// relayModel answers like the scripted interviewer, and stamps each streamed
// question's first chunk with the wall-clock time it is written, so that a
// client in another process can tell how long the chunk took to reach it.
// Each question streams for over a second.
func relayModel(req goopenai.ChatCompletionRequest) openaitest.Reply {
	rep := openaitest.Scripted(req)
	if !req.Stream {
		return rep
	}
	rep.Chunks = append([]string{"Q"}, strings.SplitAfter(rep.Content, " ")...)
	rep.ChunkDelay = 100 * time.Millisecond
	rep.OnChunk = func(i int, chunk string) string {
		if i == 0 {
			return "Q" + strconv.FormatInt(time.Now().UnixNano(), 10) + " "
		}
		return chunk
	}
	return rep
}

// TestHelperRelayModel is not a test: BenchmarkRelayOverhead runs the test
// binary again with BARRAISER_RELAY_MODEL set to serve relayModel from a
// process of its own, as a real model server would be.
func TestHelperRelayModel(t *testing.T) {
	if os.Getenv("BARRAISER_RELAY_MODEL") == "" {
		t.Skip("helper process for BenchmarkRelayOverhead")
	}
	srv := openaitest.NewServer(relayModel)
	fmt.Println("URL", srv.BaseURL())
	select {}
}

// BenchmarkRelayOverhead measures what the server adds between the model
// and the browser: the time from the model sending a question's first chunk
// to the WebSocket client receiving it as question_delta. 200 connected
// interviews answer within one second, so that their 200 follow-ups, each
// streaming for over a second, are in flight together. Model, server and
// clients each run in a process of their own, as they would in use.
//
//	go test -run xxx -bench RelayOverhead -benchtime 3x ./cmd/barraiser
func BenchmarkRelayOverhead(b *testing.B) {
	const streams = 200
	model := exec.Command(os.Args[0], "-test.run=^TestHelperRelayModel$")
	model.Env = append(os.Environ(), "BARRAISER_RELAY_MODEL=1")
	out, err := model.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := model.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { model.Process.Kill(); model.Wait() }()
	sc := bufio.NewScanner(out)
	baseURL := ""
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "URL "); ok {
			baseURL = u
			break
		}
	}
	if baseURL == "" {
		b.Fatal("the model process did not start")
	}
	srv := startServe(b, "-data-dir", b.TempDir(), "-openai-base-url", baseURL, "-llm-model", "bench", "-llm-timeout", "30s", "-llm-token-budget", "0", "-rate-limit", "0", "-max-open-interviews", "0")
	c := newClient(b, srv.url)
	var all []time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		// Connect every client and let its opening question stream first.
		conns := make([]*websocket.Conn, streams)
		var wg sync.WaitGroup
		for j := range conns {
			u := c.create(`{"role":"sde","level":"L5","principles":["ownership"]}`).WSURL
			wg.Add(1)
			go func() {
				defer wg.Done()
				conn, _, err := c.dial(u, "")
				if err != nil {
					b.Error(err)
					return
				}
				readType(b, conn, "session")
				for f := read(b, conn); f.Type != "question"; f = read(b, conn) {
				}
				conns[j] = conn
			}()
		}
		wg.Wait()
		b.StartTimer()
		// Then each answers at a random moment within one second, and its
		// follow-up streams back while the others stream too.
		ds := make([]time.Duration, streams)
		for j, conn := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.CloseNow()
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				time.Sleep(time.Duration(rand.Int64N(int64(time.Second))))
				send(b, conn, answer(vagueAnswer, "a"))
				for {
					_, data, err := conn.Read(ctx)
					if err != nil {
						b.Error(err)
						return
					}
					s := string(data)
					if k := strings.Index(s, `"text":"Q`); strings.Contains(s, `"question_delta"`) && k >= 0 {
						at := time.Now().UnixNano()
						tag := s[k+9:]
						sentAt, _ := strconv.ParseInt(strings.TrimSpace(tag[:strings.Index(tag, `"`)]), 10, 64)
						ds[j] = time.Duration(at - sentAt)
						return
					}
				}
			}()
		}
		wg.Wait()
		all = append(all, ds...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })

	b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkDebriefWallTime grades four principles whose grading calls take
// 100 to 400 ms and reports the debrief's wall time over the slowest call:
// grading runs the calls at once, so the ratio stays near 1.
//
//	go test -run xxx -bench DebriefWallTime -benchtime 5x ./cmd/barraiser
func BenchmarkDebriefWallTime(b *testing.B) {
	delays := map[string]time.Duration{"ownership": 100 * time.Millisecond, "dive-deep": 200 * time.Millisecond,
		"earn-trust": 300 * time.Millisecond, "frugality": 400 * time.Millisecond}
	srv := openaitest.NewServer(func(req goopenai.ChatCompletionRequest) openaitest.Reply {
		rep := openaitest.Scripted(req)
		user := openaitest.LastUser(req)
		if strings.Contains(user, "Task: grade") {
			for p, d := range delays {
				if strings.Contains(user, "("+p+")") {
					rep.Delay = d
				}
			}
		}
		return rep
	})
	defer srv.Close()
	m := startArgs(b, []string{"-data-dir", b.TempDir(), "-openai-base-url", srv.BaseURL(), "-llm-model", "bench", "-llm-token-budget", "0", "-rate-limit", "0", "-max-open-interviews", "0"})
	c := newClient(b, m.Server.URL())
	var worst float64
	var sum time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		iv := c.create(`{"role":"sde","level":"L5","principles":["ownership","dive-deep","earn-trust","frugality"]}`)
		conn, _ := c.open(iv.WSURL)
		// Answer one question per principle, moving on with "end" at the
		// last, so that every principle is graded.
		for p := 0; p < 4; p++ {
			for {
				f := read(b, conn)
				if f.Type == "question" {
					if f.Turn.Kind == "opening" {
						send(b, conn, answer(strongAnswer, fmt.Sprint(p)))
						readType(b, conn, "ack")
						break
					}
					send(b, conn, answer(strongAnswer, fmt.Sprint(p, "-", f.Turn.Seq)))
					readType(b, conn, "ack")
				}
			}
		}
		for f := read(b, conn); f.Type != "question"; f = read(b, conn) {
		}
		b.StartTimer()
		start := time.Now()
		send(b, conn, map[string]string{"type": "end"})
		readType(b, conn, "grading")
		d := readType(b, conn, "debrief").Debrief
		wall := time.Since(start)
		if d.GradedBy != "llm:bench" {
			b.Fatalf("debrief graded by %s", d.GradedBy)
		}
		b.StopTimer()
		conn.CloseNow()
		sum += wall
		if r := float64(wall) / float64(400*time.Millisecond); r > worst {
			worst = r
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(sum)/float64(b.N)/float64(400*time.Millisecond), "mean-ratio")
	b.ReportMetric(worst, "worst-ratio")
}
