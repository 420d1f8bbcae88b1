package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tilsyn/tilsyn/api"
	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/audit"
	"github.com/tilsyn/tilsyn/internal/demo"
	"github.com/tilsyn/tilsyn/internal/exchange"
	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/i18n"
	"github.com/tilsyn/tilsyn/internal/sqldb"
	"github.com/tilsyn/tilsyn/internal/web"
)

const usage = `Tilsyn: monitoring places of deprivation of liberty.

Usage: tilsyn COMMAND [flags]

Commands:
  serve         serve the web interface and the API
  demo          create the demo data set if the store is empty, then serve
  seed          create the demo data set, without serving
  migrate       bring the store's schema up to date
  user add      add a user (password read from standard input)
  token create  create a personal API token and print it
  audit verify  check the audit log's hash chain
  import places import places from a CSV or XLSX file (all rows or none)
  export places export places as CSV, XLSX or GeoJSON

Run "tilsyn COMMAND --help" for a command's flags. Every flag can also be set
with an environment variable TILSYN_<FLAG>, e.g. TILSYN_DATA or TILSYN_DB.
`

// cliActor names the command line as the actor in the audit log.
const cliActor = "command line"

// env is the injected os.Getenv.
type env func(string) string

// command is a subcommand: its flags are registered on fs, and run is called
// once they are parsed.
type command struct {
	name    string
	summary string
	flags   func(fs *flag.FlagSet) func(ctx context.Context, io cmdIO) error
	args    string // names the positional arguments, "" for none
}

// cmdIO is what a command may read and write.
type cmdIO struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         env
	args           []string // positional arguments
}

func commands() []command {
	return []command{
		{"serve", "serve the web interface and the API", serveCmd, ""},
		{"demo", "create the demo data set if the store is empty, then serve", demoCmd, ""},
		{"seed", "create the demo data set, without serving", seedCmd, ""},
		{"migrate", "bring the store's schema up to date", migrateCmd, ""},
		{"user add", "add a user; the password is read from standard input", userAddCmd, ""},
		{"token create", "create a personal API token and print it alone on standard output", tokenCreateCmd, ""},
		{"audit verify", "check that no audit log entry was altered or removed; exit 1 naming the first broken entry", auditVerifyCmd, ""},
		{"import places", "import places from a CSV or XLSX file: every row or none, matched on official identifier", importPlacesCmd, "FILE"},
		{"export places", "export the places as CSV, XLSX or GeoJSON", exportPlacesCmd, ""},
	}
}

// run is the whole program; main only calls it, and tests call it too.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	rest := args[1:]
	if len(rest) == 0 || rest[0] == "-h" || rest[0] == "--help" || rest[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(rest) == 0 {
			return errors.New("no command given")
		}
		return nil
	}
	var cmd *command
	var cmdArgs []string
	for _, c := range commands() {
		words := strings.Fields(c.name)
		if len(rest) >= len(words) && strings.Join(rest[:len(words)], " ") == c.name {
			cmd, cmdArgs = &c, rest[len(words):]
			break
		}
	}
	if cmd == nil {
		return fmt.Errorf("unknown command %q; run \"tilsyn --help\"", strings.Join(rest, " "))
	}
	fs := flag.NewFlagSet("tilsyn "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	exec := cmd.flags(fs)
	var positional []string
	for { // flags may come before or after the positional arguments
		if err := fs.Parse(cmdArgs); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintf(stdout, "Usage: tilsyn %s [flags] %s\n\n%s.\n\nFlags:\n", cmd.name, cmd.args, cmd.summary)
				fs.SetOutput(stdout)
				fs.PrintDefaults()
				return nil
			}
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		cmdArgs = fs.Args()[1:]
	}
	if want := len(strings.Fields(cmd.args)); len(positional) != want {
		if want == 0 {
			return fmt.Errorf("%s: unexpected argument %q", cmd.name, positional[0])
		}
		return fmt.Errorf("%s: give %s", cmd.name, cmd.args)
	}
	if err := flagsFromEnv(fs, getenv); err != nil {
		return err
	}
	return exec(ctx, cmdIO{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, args: positional})
}

// flagsFromEnv sets every flag not given on the command line from
// TILSYN_<FLAG>, with dashes as underscores.
func flagsFromEnv(fs *flag.FlagSet, getenv env) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		name := "TILSYN_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(name); v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: %w", name, e)
			}
		}
	})
	return err
}

// storeFlags registers the flags that say which store to use.
func storeFlags(fs *flag.FlagSet) *sqldb.Config {
	var c sqldb.Config
	fs.StringVar(&c.DataDir, "data", "./tilsyn-data", "directory of the embedded SQLite store")
	fs.StringVar(&c.URL, "db", "", "PostgreSQL URL (postgres://…); when set, used instead of --data")
	return &c
}

// openStore opens and migrates the store.
func openStore(ctx context.Context, c *sqldb.Config) (*sqldb.DB, error) {
	db, err := sqldb.Open(ctx, *c)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func serveCmd(fs *flag.FlagSet) func(context.Context, cmdIO) error {
	store := storeFlags(fs)
	opts := serveFlags(fs)
	return func(ctx context.Context, c cmdIO) error {
		db, err := openStore(ctx, store)
		if err != nil {
			return err
		}
		defer db.Close()
		return serve(ctx, db, opts, c)
	}
}

// serveOptions are the flags serve and demo share.
type serveOptions struct {
	addr      string
	limits    account.SessionLimits
	maxUpload int64
}

func serveFlags(fs *flag.FlagSet) *serveOptions {
	o := &serveOptions{}
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.DurationVar(&o.limits.Idle, "session-idle", account.SessionIdle, "a session ends after this long without a request")
	fs.DurationVar(&o.limits.Absolute, "session-max", account.SessionAbsolute, "a session ends this long after sign-in, however active")
	fs.Int64Var(&o.maxUpload, "max-upload", exchange.DefaultMaxBytes, "the largest file an upload may carry, in bytes")
	return o
}

// serve answers HTTP until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, db *sqldb.DB, opts *serveOptions, c cmdIO) error {
	logger := slog.New(slog.NewTextHandler(c.stderr, nil))
	cat, err := i18n.New()
	if err != nil {
		return err
	}
	srv, err := web.NewServer(web.Deps{
		Places: db, Accounts: db, Audit: db, Health: db.Ping, Catalog: cat, Logger: logger, OpenAPI: api.OpenAPI,
		Sessions: opts.limits, MaxUpload: opts.maxUpload,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", opts.addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	fmt.Fprintf(c.stdout, "Tilsyn is serving at http://%s (%s store)\n", ln.Addr(), db.Engine())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped")
	return nil
}

func demoCmd(fs *flag.FlagSet) func(context.Context, cmdIO) error {
	store := storeFlags(fs)
	opts := serveFlags(fs)
	scale := fs.String("scale", "small", "size of the demo data set: small, medium or large")
	return func(ctx context.Context, c cmdIO) error {
		db, err := openSeeded(ctx, store, *scale, c.stdout)
		if err != nil {
			return err
		}
		defer db.Close()
		return serve(ctx, db, opts, c)
	}
}

func seedCmd(fs *flag.FlagSet) func(context.Context, cmdIO) error {
	store := storeFlags(fs)
	scale := fs.String("scale", "small", "size of the demo data set: small, medium or large")
	return func(ctx context.Context, c cmdIO) error {
		db, err := openSeeded(ctx, store, *scale, c.stdout)
		if err != nil {
			return err
		}
		return db.Close()
	}
}

// openSeeded opens and migrates the store and adds the demo data set at
// the scale named, unless the store has it already.
func openSeeded(ctx context.Context, store *sqldb.Config, scale string, out io.Writer) (*sqldb.DB, error) {
	sc, err := demo.ParseScale(scale)
	if err != nil {
		return nil, err
	}
	db, err := openStore(ctx, store)
	if err != nil {
		return nil, err
	}
	if err := seedAndReport(ctx, db, sc, out); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func seedAndReport(ctx context.Context, db *sqldb.DB, sc demo.Scale, out io.Writer) error {
	sum, err := demo.Seed(ctx, db, sc, time.Now())
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if sum.Created {
		fmt.Fprintf(out, "Created the %s demo data set: %d places with %d population figures.\n", sc, sum.Places, sum.Snapshots)
	} else {
		fmt.Fprintln(out, "The store already has the demo data set; nothing was added.")
	}
	fmt.Fprintf(out, "Sign in as %s with the password %s\n", demo.Coordinator, demo.Password)
	fmt.Fprintf(out, "The administrator %s has the same password and sets up a second factor\n(an authenticator app) at first sign-in; monitor@demo.example and\nviewer@demo.example show the other roles.\n", demo.Admin)
	return nil
}

func migrateCmd(fs *flag.FlagSet) func(context.Context, cmdIO) error {
	store := storeFlags(fs)
	return func(ctx context.Context, c cmdIO) error {
		db, err := sqldb.Open(ctx, *store)
		if err != nil {
			return err
		}
		defer db.Close()
		n, err := db.Migrate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Applied %d migrations; the %s store is up to date.\n", n, db.Engine())
		return nil
	}
}

func userAddCmd(fs *flag.FlagSet) func(context.Context, cmdIO) error {
	store := storeFlags(fs)
	email := fs.String("email", "", "the user's email address (required)")
	org := fs.String("org", "", "short name of the organisation; created if it does not exist (required)")
	role := fs.String("role", "", "role in the organisation: "+rolesList()+" (required)")
	name := fs.String("name", "", "the user's name")
	return func(ctx context.Context, c cmdIO) error {
		*email = account.NormalizeEmail(*email)
		if err := account.ValidateEmail(*email); err != nil {
			return fmt.Errorf("--email: %q is not an email address", *email)
		}
		if *org == "" {
			return errors.New("--org is required")
		}
		if !account.Role(*role).Valid() {
			return fmt.Errorf("--role must be one of %s", rolesList())
		}
		pw, err := bufio.NewReader(c.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password: %w", err)
		}
		pw = strings.TrimRight(pw, "\r\n")
		if err := account.ValidatePassword(pw); err != nil {
			if fe, ok := fault.As(err); ok && len(fe.Fields) > 0 && fe.Fields[0].Code == "error.account.password_common" {
				return errors.New("the password on standard input is on the list of common passwords; choose another")
			}
			return fmt.Errorf("password on standard input must have %d to %d characters", account.MinPassword, account.MaxPassword)
		}
		hash, err := account.HashPassword(pw)
		if err != nil {
			return err
		}
		db, err := openStore(ctx, store)
		if err != nil {
			return err
		}
		defer db.Close()
		now := time.Now()
		err = db.WithTx(ctx, func(tx *sqldb.Tx) error {
			o, err := db.OrgBySlug(ctx, *org)
			if fault.Is(err, fault.NotFound) {
				o, err = tx.CreateOrg(ctx, account.Org{Slug: *org, Name: *org}, now)
			}
			if err != nil {
				return err
			}
			u, err := tx.CreateUser(ctx, account.User{Email: *email, Name: *name, PasswordHash: hash}, o.ID, account.Role(*role), now)
			if err != nil {
				return err
			}
			_, err = tx.AppendAudit(ctx, audit.Entry{At: now, OrgID: o.ID, Actor: cliActor, Action: audit.UserAdded,
				TargetKind: "user", TargetID: u.ID, Detail: "role " + *role})
			return err
		})
		if fault.Is(err, fault.Conflict) {
			return fmt.Errorf("a user with the address %s exists already", *email)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Added %s to %s as %s.\n", *email, *org, *role)
		return nil
	}
}

func tokenCreateCmd(fs *flag.FlagSet) func(context.Context, cmdIO) error {
	store := storeFlags(fs)
	email := fs.String("email", "", "the user the token acts for (required)")
	scope := fs.String("scope", "read", "what the token may do: read or write")
	name := fs.String("name", "command line", "a name to recognise the token by")
	return func(ctx context.Context, c cmdIO) error {
		if *email == "" {
			return errors.New("--email is required")
		}
		if !account.Scope(*scope).Valid() {
			return errors.New("--scope must be read or write")
		}
		db, err := openStore(ctx, store)
		if err != nil {
			return err
		}
		defer db.Close()
		u, err := db.UserByEmail(ctx, *email)
		if err != nil {
			return fmt.Errorf("no user with the address %s", *email)
		}
		m, err := db.FirstMembership(ctx, u.ID)
		if err != nil {
			return fmt.Errorf("%s belongs to no organisation", *email)
		}
		secret := account.NewSecret("tt_")
		tok, err := db.CreateToken(ctx, account.Token{UserID: u.ID, OrgID: m.Org.ID, Name: *name, Scope: account.Scope(*scope)}, account.HashSecret(secret), time.Now())
		if err != nil {
			return err
		}
		if _, err := db.AppendAudit(ctx, audit.Entry{At: time.Now(), OrgID: m.Org.ID, ActorID: u.ID, Actor: cliActor, Action: audit.TokenCreated,
			TargetKind: "token", TargetID: tok.ID, Detail: "scope " + *scope + ", for " + u.Email}); err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, secret)
		return nil
	}
}

func rolesList() string {
	var rs []string
	for _, r := range account.Roles {
		rs = append(rs, string(r))
	}
	sort.Strings(rs)
	return strings.Join(rs, ", ")
}

func auditVerifyCmd(fs *flag.FlagSet) func(context.Context, cmdIO) error {
	store := storeFlags(fs)
	head := fs.String("head", "", "a head recorded earlier (SEQ:HASH, as printed by this command): fail unless that entry is still there, unchanged")
	return func(ctx context.Context, c cmdIO) error {
		db, err := openStore(ctx, store)
		if err != nil {
			return err
		}
		defer db.Close()
		v, err := db.VerifyAudit(ctx)
		if err != nil {
			return err
		}
		seq, hash := v.Head()
		if *head != "" {
			wantSeq, wantHash, ok := strings.Cut(*head, ":")
			n, convErr := strconv.ParseInt(wantSeq, 10, 64)
			if !ok || convErr != nil {
				return errors.New("--head must be SEQ:HASH")
			}
			if n > seq {
				return fmt.Errorf("audit log broken: entry %d of the recorded head is gone (the log ends at %d)", n, seq)
			}
			e, err := db.AuditEntry(ctx, n)
			if err != nil || e.Hash != wantHash {
				return fmt.Errorf("audit log broken at entry %d: it is not the entry recorded as the head", n)
			}
		}
		fmt.Fprintf(c.stdout, "The audit log is intact: %d entries; head %d:%s\n", v.Count, seq, hash)
		return nil
	}
}
