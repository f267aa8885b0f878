package sqlite

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// lockHelperEnv names the data directory a re-executed test binary locks.
const lockHelperEnv = "BARRAISER_SQLITE_LOCK_HELPER_DIR"

// TestLockHelper is not a test: run as a child process with lockHelperEnv
// set, it opens the store with the lock, says so on stdout and sleeps until
// it is killed.
func TestLockHelper(t *testing.T) {
	dir := os.Getenv(lockHelperEnv)
	if dir == "" {
		t.Skip("helper process only")
	}
	db, err := Open(context.Background(), dir, Options{Lock: true})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	defer db.Close()
	fmt.Println("locked")
	time.Sleep(time.Minute)
	os.Exit(2) // never reached when the parent kills us
}

func TestLock(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	first, err := Open(ctx, dir, Options{Lock: true})
	if err != nil {
		t.Fatalf("first Open: %v", err)
	}

	_, err = Open(ctx, dir, Options{Lock: true})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open with Lock = %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), "another barraiser server is already using data directory") {
		t.Errorf("error %q does not say another server uses the directory", err)
	}

	// Short-lived commands open without the lock and share the database.
	cmd, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatalf("Open without Lock while locked: %v", err)
	}
	if err := cmd.EnsureOwner(ctx, "alice"); err != nil {
		t.Fatalf("write without Lock: %v", err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}

	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(ctx, dir, Options{Lock: true})
	if err != nil {
		t.Fatalf("Open with Lock after Close: %v", err)
	}
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestLockReleasedWhenHolderDies(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	ctx := context.Background()
	dir := t.TempDir()

	child := exec.Command(os.Args[0], "-test.run=^TestLockHelper$", "-test.count=1")
	child.Env = append(os.Environ(), lockHelperEnv+"="+dir)
	child.Stderr = os.Stderr
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			child.Process.Kill()
			child.Wait()
		}
	}()

	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			if l := s.Text(); l == "locked" || strings.HasPrefix(l, "error:") {
				line <- l
				return
			}
		}
		line <- "eof"
	}()
	select {
	case l := <-line:
		if l != "locked" {
			t.Fatalf("helper: %s", l)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("helper did not take the lock in 30s")
	}

	if _, err := Open(ctx, dir, Options{Lock: true}); !errors.Is(err, ErrLocked) {
		t.Fatalf("Open while the child holds the lock = %v, want ErrLocked", err)
	}

	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = child.Wait()
	killed = true
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed by SIGKILL", err)
	}

	db, err := Open(ctx, dir, Options{Lock: true})
	if err != nil {
		t.Fatalf("Open after the holder was killed: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}
