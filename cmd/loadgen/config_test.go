package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

func TestCheckLoopback(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://127.0.0.1:8080/", true},
		{"https://127.0.0.2", true},
		{"http://[::1]:8080", true},
		{"http://localhost:8080", true},
		{"http://10.1.2.3:8080", false},
		{"http://192.0.2.7", false},
		{"http://[2001:db8::1]:8080", false},
		{"http://0.0.0.0:8080", false},
		{"ws://127.0.0.1:8080", false},
		{"127.0.0.1:8080", false},
		{"http://", false},
		{"http://nonexistent.invalid", false},
	} {
		t.Run(tc.url, func(t *testing.T) {
			err := checkLoopback(context.Background(), tc.url)
			if (err == nil) != tc.ok {
				t.Errorf("checkLoopback(%q) = %v, want ok %v", tc.url, err, tc.ok)
			}
		})
	}
}

func TestCheckLoopbackAddr(t *testing.T) {
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:0", true},
		{"localhost:8090", true},
		{"[::1]:8090", true},
		{":8090", false},
		{"0.0.0.0:8090", false},
		{"10.0.0.1:8090", false},
		{"127.0.0.1", false},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			err := checkLoopbackAddr(context.Background(), tc.addr)
			if (err == nil) != tc.ok {
				t.Errorf("checkLoopbackAddr(%q) = %v, want ok %v", tc.addr, err, tc.ok)
			}
		})
	}
}

func TestParseConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string // part of the error; "" for none
	}{
		{"defaults", nil, ""},
		{"idle", []string{"-mode", "idle", "-n", "10000", "-hold", "30s"}, ""},
		{"model mode gets an address", []string{"-mode", "model"}, ""},
		{"unknown mode", []string{"-mode", "busy"}, "-mode"},
		{"no candidates", []string{"-n", "0"}, "-n"},
		{"no duration", []string{"-duration", "0s"}, "-duration"},
		{"negative interviews", []string{"-interviews", "-1"}, "-interviews"},
		{"idle without hold", []string{"-mode", "idle", "-hold", "0s"}, "-hold"},
		{"think backwards", []string{"-think-min", "2s", "-think-max", "1s"}, "think"},
		{"five principles", []string{"-principles", "5"}, "-principles"},
		{"no set-ups", []string{"-open-concurrency", "0"}, "-open-concurrency"},
		{"no pace", []string{"-tps", "0"}, "-tps"},
		{"bad pattern", []string{"-metrics-match", "("}, "-metrics-match"},
		{"stray argument", []string{"now"}, "unexpected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseConfig(tc.args, io.Discard)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("parseConfig(%q) = %v", tc.args, err)
				}
				if c.Mode == ModeModel && c.SimAddr == "" {
					t.Errorf("model mode without -sim-addr got no address")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parseConfig(%q) = %v, want an error about %s", tc.args, err, tc.want)
			}
		})
	}
}

// TestRefusesRemoteTarget checks that a target off this machine is refused
// before anything is sent to it: the listener here would see a connection
// if loadgen tried one.
func TestRefusesRemoteTarget(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
			accepted <- struct{}{}
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	for _, target := range []string{"http://192.0.2.1:" + port, "http://0.0.0.0:" + port} {
		var out bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := run(ctx, []string{"-target", target, "-n", "1", "-duration", "1s"}, &out, io.Discard)
		cancel()
		if err == nil || !strings.Contains(err.Error(), "not loopback") {
			t.Errorf("run against %s = %v, want a refusal", target, err)
		}
	}
	for _, args := range [][]string{
		{"-metrics", "http://192.0.2.1/metrics"},
		{"-sim-addr", "0.0.0.0:0"},
	} {
		_, err := run(context.Background(), append([]string{"-target", "http://127.0.0.1:" + port, "-duration", "1s"}, args...), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "not loopback") {
			t.Errorf("run with %q = %v, want a refusal", args, err)
		}
	}
	select {
	case <-accepted:
		t.Errorf("loadgen connected although it refused its target")
	case <-time.After(100 * time.Millisecond):
	}
}
