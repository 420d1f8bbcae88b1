package main

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/demo"
	"github.com/tilsyn/tilsyn/internal/exchange"
	"github.com/tilsyn/tilsyn/internal/place"
	"github.com/tilsyn/tilsyn/internal/sqldb"
	"github.com/tilsyn/tilsyn/internal/sqldb/sqldbtest"
)

// BenchmarkImportPlaces10k reads a 10,000-row CSV (the large demo registry)
// and imports it into an empty registry in one transaction: what
// `tilsyn import places` does. The target is ≤ 2 s.
func BenchmarkImportPlaces10k(b *testing.B) {
	var csv bytes.Buffer
	if err := exchange.WritePlaces(&csv, "csv", demo.Places(demo.Large)); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, e := range sqldbtest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				db := sqldbtest.Open(b, e)
				var org account.Org
				if err := db.WithTx(ctx, func(tx *sqldb.Tx) error {
					var err error
					org, err = tx.CreateOrg(ctx, account.Org{Slug: "bench", Name: "Bench"}, time.Now())
					return err
				}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				rows, problems, err := exchange.ReadPlaces(bytes.NewReader(csv.Bytes()), "places.csv", exchange.ReadOptions{})
				if err != nil || len(problems) > 0 || len(rows) != 10_000 {
					b.Fatalf("read: %d rows, %v, %v", len(rows), problems, err)
				}
				in := make([]sqldb.ImportRow, len(rows))
				for i, r := range rows {
					in[i] = sqldb.ImportRow{Line: r.Line, Place: r.Place, ParentOfficialID: r.ParentOfficialID}
				}
				res, err := db.ImportPlaces(ctx, org.ID, in, true, "", time.Now(), nil)
				if err != nil || res.Created != 10_000 {
					b.Fatalf("import: %+v, %v", res.Problems, err)
				}
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
		})
	}
}

// BenchmarkExportPlaces10k reads the whole 10,000-place registry and writes
// it as CSV and XLSX: what `tilsyn export places` does. The target is ≤ 1 s.
func BenchmarkExportPlaces10k(b *testing.B) {
	ctx := context.Background()
	for _, e := range sqldbtest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			db := sqldbtest.Open(b, e)
			if _, err := demo.Seed(ctx, db, demo.Large, time.Now()); err != nil {
				b.Fatal(err)
			}
			org, err := db.OrgBySlug(ctx, demo.OrgSlug)
			if err != nil {
				b.Fatal(err)
			}
			for _, format := range []string{"csv", "xlsx"} {
				b.Run(format, func(b *testing.B) {
					for b.Loop() {
						places, err := allPlaces(ctx, db, org.ID, place.Filter{})
						if err != nil || len(places) != 10_000 {
							b.Fatalf("%d places, %v", len(places), err)
						}
						if err := exchange.WritePlaces(io.Discard, format, places); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
