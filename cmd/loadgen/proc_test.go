package main

import (
	"net"
	"os"
	"strconv"
	"testing"
)

func TestListeningInodes(t *testing.T) {
	const table = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1111 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 2222 1 0000000000000000 20 4 30 10 -1
   2: 00000000:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3333 1 0000000000000000 100 0 0 10 0
`
	for _, tc := range []struct {
		port int
		want []string
	}{
		{8080, []string{"1111"}}, // the established connection on 8080 is not a listener
		{8081, []string{"3333"}},
		{8082, nil},
	} {
		got := listeningInodes(table, tc.port)
		if len(got) != len(tc.want) || (len(got) == 1 && got[0] != tc.want[0]) {
			t.Errorf("port %d: inodes %v, want %v", tc.port, got, tc.want)
		}
	}
}

// TestFindListener finds this process by a port it listens on, and reads
// its memory and open-files limit.
func TestFindListener(t *testing.T) {
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("no /proc/net/tcp here")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	p, _ := strconv.Atoi(port)
	pid, err := findListener(p)
	if err != nil || pid != os.Getpid() {
		t.Fatalf("findListener(%d) = %d, %v; want this process, %d", p, pid, err, os.Getpid())
	}
	ln.Close()
	if pid, err := findListener(p); err == nil {
		t.Errorf("findListener after the listener closed = %d, want an error", pid)
	}
	rss, err := readRSS(os.Getpid())
	if err != nil || rss < 1<<20 {
		t.Errorf("readRSS = %d, %v; want at least a MiB", rss, err)
	}
	lim, err := processFileLimit(os.Getpid())
	if err != nil || lim == 0 {
		t.Errorf("processFileLimit = %d, %v", lim, err)
	}
	raised, err := raiseFileLimit()
	if err != nil || raised < lim {
		t.Errorf("raiseFileLimit = %d, %v; want at least the current %d", raised, err, lim)
	}
}
