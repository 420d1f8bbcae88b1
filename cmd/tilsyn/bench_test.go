package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tilsyn/tilsyn/internal/perftest"
	"github.com/tilsyn/tilsyn/internal/sqldb/sqldbtest"
)

// BenchmarkStartToHealthz measures start-up: from calling run with "serve"
// on a store that is already migrated until GET /healthz first answers 200.
// Stopping the server is not timed. It runs on every engine of
// sqldbtest.Engines: "serve --data DIR" always, "serve --db URL" when
// TILSYN_TEST_POSTGRES is set. Besides ns/op it reports the median and 95th
// percentile of the single start-ups (p50-ms, p95-ms).
//
// Running in the test process, it leaves out what a real start also pays
// before main: loading the binary and initialising its packages. See
// BenchmarkExecToHealthz for that.
//
//	go test ./cmd/tilsyn/ -run '^$' -bench StartToHealthz -benchtime 10x
func BenchmarkStartToHealthz(b *testing.B) {
	benchStartups(b, func(b *testing.B, store []string) benchStart {
		return func(stdout io.Writer) (stop func() error, done <-chan error) {
			ctx, cancel := context.WithCancel(context.Background())
			ended := make(chan error, 1)
			go func() {
				ended <- run(ctx, append([]string{"tilsyn", "serve", "--addr", "127.0.0.1:0"}, store...), benchNoEnv, strings.NewReader(""), stdout, io.Discard)
			}()
			return func() error { cancel(); return <-ended }, ended
		}
	})
}

// BenchmarkExecToHealthz is BenchmarkStartToHealthz with the built
// binary in a process of its own: from starting "tilsyn serve" until
// GET /healthz first answers 200, so it includes loading the binary and
// package initialisation. It builds the binary once, before the timer.
//
//	go test ./cmd/tilsyn/ -run '^$' -bench ExecToHealthz -benchtime 10x
func BenchmarkExecToHealthz(b *testing.B) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		b.Skip("no go command to build the binary with")
	}
	bin := filepath.Join(b.TempDir(), "tilsyn")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	benchStartups(b, func(b *testing.B, store []string) benchStart {
		return func(stdout io.Writer) (stop func() error, done <-chan error) {
			cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, store...)...)
			cmd.Env = []string{} // no TILSYN_* from the environment
			cmd.Stdout = stdout
			ended := make(chan error, 1)
			if err := cmd.Start(); err != nil {
				ended <- err
				return func() error { return err }, ended
			}
			go func() { ended <- cmd.Wait() }()
			return func() error {
				if err := cmd.Process.Signal(os.Interrupt); err != nil {
					return err
				}
				return <-ended
			}, ended
		}
	})
}

// benchStart starts a server that writes "serving at URL" to stdout; stop
// asks it to stop and waits, done receives its end.
type benchStart func(stdout io.Writer) (stop func() error, done <-chan error)

// benchStartups runs a start-up benchmark on every engine: it migrates a
// store once, before the timer, then times each start until /healthz first
// answers 200, and stops the server untimed.
func benchStartups(b *testing.B, starter func(b *testing.B, store []string) benchStart) {
	for _, e := range sqldbtest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			store := []string{"--data", b.TempDir()}
			if cfg := e.Config(b); cfg.URL != "" {
				store = []string{"--db", cfg.URL}
			}
			var out strings.Builder
			if err := run(context.Background(), append([]string{"tilsyn", "migrate"}, store...), benchNoEnv, strings.NewReader(""), &out, io.Discard); err != nil {
				b.Fatalf("migrate: %v\n%s", err, &out)
			}
			start := starter(b, store)
			// A client of its own, without keep-alive, so every start-up is
			// asked on a new connection, as a load balancer's first probe is.
			client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			var took []time.Duration
			for b.Loop() {
				stdout := &benchServingWriter{at: make(chan string, 1)}
				t0 := time.Now()
				stop, done := start(stdout)
				err := benchAwaitHealthz(client, stdout.at, done)
				d := time.Since(t0)
				b.StopTimer()
				stopped := make(chan error, 1)
				go func() { stopped <- stop() }()
				if err != nil {
					b.Fatal(err)
				}
				select {
				case err := <-stopped:
					if err != nil {
						b.Fatalf("serve ended with %v", err)
					}
				case <-time.After(15 * time.Second):
					b.Fatal("serve did not stop within 15 s of being asked")
				}
				took = append(took, d)
				b.StartTimer()
			}
			perftest.ReportPercentiles(b, took)
		})
	}
}

// benchAwaitHealthz waits until run says where it serves, then asks
// /healthz until it answers 200. It polls every millisecond, so the figure
// is at most that much late.
func benchAwaitHealthz(client *http.Client, at <-chan string, done <-chan error) error {
	deadline := time.After(60 * time.Second)
	var base string
	select {
	case base = <-at:
	case err := <-done:
		return fmt.Errorf("serve ended before serving: %v", err)
	case <-deadline:
		return fmt.Errorf("serve did not say where it serves within 60 s")
	}
	for {
		resp, err := client.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-done:
			return fmt.Errorf("serve ended before /healthz answered 200: %v", err)
		case <-deadline:
			return fmt.Errorf("/healthz did not answer 200 within 60 s")
		case <-time.After(time.Millisecond):
		}
	}
}

// benchServingWriter is run's standard output: it sends the base URL on at
// as soon as run prints "serving at …", with no polling.
type benchServingWriter struct {
	mu   sync.Mutex
	buf  []byte
	sent bool
	at   chan string
}

var benchServingAt = regexp.MustCompile(`serving at (http://\S+)`)

func (w *benchServingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	if m := benchServingAt.FindSubmatch(w.buf); !w.sent && m != nil {
		w.sent = true
		w.at <- string(m[1])
	}
	return len(p), nil
}

// benchNoEnv is a getenv that knows no variables.
func benchNoEnv(string) string { return "" }
