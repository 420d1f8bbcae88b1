package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to write from run's goroutine while a
// test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// noEnv is a getenv that knows no variables.
func noEnv(string) string { return "" }

var servingAt = regexp.MustCompile(`serving at (http://\S+)`)

// startRun runs the tilsyn command with args (without the program name) in
// the background, waits until it serves and /healthz answers, and returns
// its base URL and output. The server stops when the test ends, and the test
// fails if it did not stop cleanly.
func startRun(t testing.TB, getenv func(string) string, args ...string) (baseURL string, stdout *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"tilsyn"}, args...), getenv, strings.NewReader(""), stdout, stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("tilsyn %s ended with %v", strings.Join(args, " "), err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("tilsyn %s did not stop within 15 s of being asked", strings.Join(args, " "))
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("tilsyn %s ended before serving: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, stdout, stderr)
		default:
		}
		if m := servingAt.FindStringSubmatch(stdout.String()); m != nil {
			resp, err := http.Get(m[1] + "/healthz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return m[1], stdout
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("tilsyn %s did not serve within 60 s\nstdout: %s\nstderr: %s", strings.Join(args, " "), stdout, stderr)
	return "", nil
}
