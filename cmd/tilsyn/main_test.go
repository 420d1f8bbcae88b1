package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tilsyn/tilsyn/internal/demo"
	"github.com/tilsyn/tilsyn/internal/sqldb/sqldbtest"
)

// runCmd runs one command to completion and returns its output.
func runCmd(t *testing.T, getenv func(string) string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"tilsyn"}, args...), getenv, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"demo", "-h"}, {"seed", "--help"}, {"migrate", "--help"}, {"user", "add", "--help"}, {"token", "create", "--help"}} {
		out, _, err := runCmd(t, noEnv, "", args...)
		if err != nil || !strings.Contains(out, "Usage: tilsyn") {
			t.Errorf("tilsyn %s: err %v, output %q", strings.Join(args, " "), err, out)
		}
	}
	for _, args := range [][]string{{}, {"bogus"}, {"user"}, {"serve", "--no-such-flag"}, {"seed", "--scale", "huge"}, {"serve", "extra"}} {
		if _, _, err := runCmd(t, noEnv, "", args...); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("tilsyn %s: err %v, want a one-line error", strings.Join(args, " "), err)
		}
	}
}

// TestFirstAdministratorAndToken follows a real installation: migrate, add
// the first administrator, create a token, serve, and use the API with it.
func TestFirstAdministratorAndToken(t *testing.T) {
	for _, e := range sqldbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			cfg := e.Config(t)
			store := []string{"--data", cfg.DataDir}
			if cfg.URL != "" {
				store = []string{"--db", cfg.URL}
			}
			if out, _, err := runCmd(t, noEnv, "", append([]string{"migrate"}, store...)...); err != nil || !strings.Contains(out, "up to date") {
				t.Fatalf("migrate: %v %q", err, out)
			}
			add := append([]string{"user", "add", "--email", "Head@NPM.example", "--org", "npm", "--role", "admin"}, store...)
			if _, _, err := runCmd(t, noEnv, "short\n", add...); err == nil || !strings.Contains(err.Error(), "12 to 128") {
				t.Errorf("short password: %v", err)
			}
			if _, _, err := runCmd(t, noEnv, "a password long enough\n", append(add[:len(add):len(add)], "--role", "boss")...); err == nil {
				t.Error("unknown role accepted")
			}
			if out, _, err := runCmd(t, noEnv, "a password long enough\n", add...); err != nil || !strings.Contains(out, "head@npm.example") {
				t.Fatalf("user add: %v %q", err, out)
			}
			if _, _, err := runCmd(t, noEnv, "a password long enough\n", add...); err == nil || !strings.Contains(err.Error(), "exists already") {
				t.Errorf("second user add: %v", err)
			}
			out, _, err := runCmd(t, noEnv, "", append([]string{"token", "create", "--email", "head@npm.example", "--scope", "write"}, store...)...)
			token := strings.TrimSpace(out)
			if err != nil || !strings.HasPrefix(token, "tt_") || strings.Contains(token, " ") {
				t.Fatalf("token create printed %q, %v; want the token alone", out, err)
			}

			base, _ := startRun(t, noEnv, append([]string{"serve", "--addr", "127.0.0.1:0"}, store...)...)
			req, _ := http.NewRequest("POST", base+"/api/v1/places", strings.NewReader(`{"name":"Trandum","type":"MIG","country":"NO"}`))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 201 {
				t.Fatalf("create with the token: %d %s", resp.StatusCode, body)
			}
		})
	}
}

// TestDemo starts the demo as the README says, from the environment
// variables that mirror the flags, and signs in with the printed login.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	env := func(k string) string {
		return map[string]string{"TILSYN_DATA": dir, "TILSYN_ADDR": "127.0.0.1:0"}[k]
	}
	base, out := startRun(t, env, "demo")
	if !strings.Contains(out.String(), demo.Admin) || !strings.Contains(out.String(), demo.Password) {
		t.Errorf("demo output lacks the login: %q", out)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(base+"/login", map[string][]string{"email": {demo.Admin}, "password": {demo.Password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || len(resp.Cookies()) == 0 {
		t.Fatalf("demo login: %d", resp.StatusCode)
	}

	// A second seed of the same store adds nothing.
	if out, _, err := runCmd(t, noEnv, "", "seed", "--data", dir); err != nil || !strings.Contains(out, "nothing was added") {
		t.Errorf("second seed: %v %q", err, out)
	}
	token, _, err := runCmd(t, noEnv, "", "token", "create", "--data", dir, "--email", demo.Admin)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/places?limit=1", nil)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(token))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct{ Total int }
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || list.Total != demo.Small.Places() {
		t.Errorf("demo store has %d places (%v), want %d", list.Total, err, demo.Small.Places())
	}
}

func TestBadStoreIsAClearError(t *testing.T) {
	if _, _, err := runCmd(t, noEnv, "", "migrate", "--db", "mysql://x"); err == nil || !strings.Contains(err.Error(), "postgres://") {
		t.Errorf("mysql URL: %v", err)
	}
	if _, _, err := runCmd(t, noEnv, "", "migrate", "--db", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"); err == nil {
		t.Error("unreachable PostgreSQL: no error")
	}
}
