package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/audit"
	"github.com/tilsyn/tilsyn/internal/exchange"
	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/i18n"
	"github.com/tilsyn/tilsyn/internal/place"
	"github.com/tilsyn/tilsyn/internal/sqldb"
)

// orgFlag registers --org; pickOrg resolves it, defaulting to the only
// organisation of a store that has one.
func orgFlag(fs *flag.FlagSet) *string {
	return fs.String("org", "", "short name of the organisation (needed when the store has several)")
}

func pickOrg(ctx context.Context, db *sqldb.DB, slug string) (account.Org, error) {
	if slug != "" {
		o, err := db.OrgBySlug(ctx, slug)
		if err != nil {
			return o, fmt.Errorf("no organisation %q", slug)
		}
		return o, nil
	}
	orgs, err := db.Orgs(ctx)
	if err != nil {
		return account.Org{}, err
	}
	if len(orgs) != 1 {
		return account.Org{}, fmt.Errorf("the store has %d organisations: name one with --org", len(orgs))
	}
	return orgs[0], nil
}

func importPlacesCmd(fs *flag.FlagSet) func(context.Context, cmdIO) error {
	store := storeFlags(fs)
	org := orgFlag(fs)
	dryRun := fs.Bool("dry-run", false, "check the file and say what would be created and updated, without writing")
	maxSize := fs.Int64("max-size", exchange.DefaultMaxBytes, "refuse a file larger than this many bytes")
	return func(ctx context.Context, c cmdIO) error {
		file := c.args[0]
		en, err := englishCatalog()
		if err != nil {
			return err
		}
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		rows, problems, err := exchange.ReadPlaces(f, file, exchange.ReadOptions{MaxBytes: *maxSize, Progress: progressTo(c.stderr, "read")})
		if err != nil {
			var fe *exchange.FileError
			if errors.As(err, &fe) {
				return fmt.Errorf("%s: %s", file, en.T(fe.Fault.Code))
			}
			return err
		}
		db, err := openStore(ctx, store)
		if err != nil {
			return err
		}
		defer db.Close()
		o, err := pickOrg(ctx, db, *org)
		if err != nil {
			return err
		}
		in := make([]sqldb.ImportRow, len(rows))
		for i, r := range rows {
			in[i] = sqldb.ImportRow{Line: r.Line, Place: r.Place, ParentOfficialID: r.ParentOfficialID}
		}
		// Problems in the file come first; the store is asked only about a clean file.
		var res sqldb.ImportResult
		if len(problems) == 0 {
			res, err = db.ImportPlaces(ctx, o.ID, in, !*dryRun, "", time.Now(), progressTo(c.stderr, "check"))
			if err != nil {
				return err
			}
			for _, p := range res.Problems {
				problems = append(problems, exchange.Problem{Line: p.Line, Field: p.Field, Code: p.Code})
			}
		}
		if len(problems) > 0 {
			sort.SliceStable(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
			for _, p := range problems {
				where := p.Column
				if where == "" {
					where = p.Field
				}
				fmt.Fprintf(c.stderr, "%s:%d: %s: %s", file, p.Line, where, en.T(p.Code))
				if p.Value != "" {
					fmt.Fprintf(c.stderr, " (%q)", p.Value)
				}
				fmt.Fprintln(c.stderr)
			}
			noun := "problems"
			if len(problems) == 1 {
				noun = "problem"
			}
			return fmt.Errorf("%s: %d %s; nothing was imported", file, len(problems), noun)
		}
		if *dryRun {
			fmt.Fprintf(c.stdout, "%s: %d rows are fine: %d places would be created and %d updated. Nothing was written (--dry-run).\n", file, len(rows), res.Created, res.Updated)
			return nil
		}
		if _, err := db.AppendAudit(ctx, audit.Entry{At: time.Now(), OrgID: o.ID, Actor: cliActor, Action: audit.PlacesImported,
			Detail: fmt.Sprintf("%d created, %d updated", res.Created, res.Updated)}); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s: imported %d rows into %s: %d places created, %d updated.\n", file, len(rows), o.Slug, res.Created, res.Updated)
		return nil
	}
}

func exportPlacesCmd(fs *flag.FlagSet) func(context.Context, cmdIO) error {
	store := storeFlags(fs)
	org := orgFlag(fs)
	format := fs.String("format", "csv", "csv, xlsx or geojson")
	output := fs.String("output", "", "write to this file instead of standard output")
	country := fs.String("country", "", "only places in this country (NO, SE, LT, RU)")
	typ := fs.String("type", "", "only places of this type (a place-type code)")
	q := fs.String("q", "", "only places whose names match")
	region := fs.String("region", "", "only places in this region")
	authority := fs.String("authority", "", "only places run by this authority")
	status := fs.String("status", "", "only places with this status: active, temporary or closed")
	sort := fs.String("sort", "name", "order: name, country, type or updated")
	return func(ctx context.Context, c cmdIO) error {
		if _, _, ok := exchange.ContentType(*format); !ok {
			return fmt.Errorf("--format must be csv, xlsx or geojson")
		}
		db, err := openStore(ctx, store)
		if err != nil {
			return err
		}
		defer db.Close()
		o, err := pickOrg(ctx, db, *org)
		if err != nil {
			return err
		}
		places, err := allPlaces(ctx, db, o.ID, place.Filter{Query: *q, Country: place.Country(*country), Type: place.Type(*typ),
			Region: *region, Authority: *authority, Status: place.Status(*status), Sort: *sort})
		if err != nil {
			return err
		}
		var w io.Writer = c.stdout
		if *output != "" {
			f, err := os.Create(*output)
			if err != nil {
				return err
			}
			defer f.Close()
			w = f
		}
		if err := exchange.WritePlaces(w, *format, places); err != nil {
			return err
		}
		if *output != "" {
			fmt.Fprintf(c.stderr, "Wrote %d places to %s.\n", len(places), *output)
		}
		return nil
	}
}

// allPlaces reads every page of a filtered list.
func allPlaces(ctx context.Context, db *sqldb.DB, orgID string, f place.Filter) ([]place.Place, error) {
	var out []place.Place
	f.Limit = 500
	for {
		pg, err := db.Places(ctx, orgID, f)
		if err != nil {
			if fe, ok := fault.As(err); ok && len(fe.Fields) > 0 {
				return nil, fmt.Errorf("--%s: %s", fe.Fields[0].Field, fe.Fields[0].Code)
			}
			return nil, err
		}
		out = append(out, pg.Places...)
		if pg.Next == "" {
			return out, nil
		}
		f.After = pg.Next
	}
}

// progressTo reports progress on w, for large files.
func progressTo(w io.Writer, what string) func(done, total int) {
	last := time.Now()
	return func(done, total int) {
		if total < 2000 || (done != total && time.Since(last) < 500*time.Millisecond) {
			return
		}
		last = time.Now()
		fmt.Fprintf(w, "%s %d of %d rows\n", what, done, total)
	}
}

func englishCatalog() (*i18n.Localizer, error) {
	cat, err := i18n.New()
	if err != nil {
		return nil, err
	}
	return cat.For("en"), nil
}
