package sqldb

import (
	"context"
	"errors"
	"time"

	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/place"
)

// ImportRow is one place to import, from a file's line.
type ImportRow struct {
	Line             int
	Place            place.Place
	ParentOfficialID string // the sub-unit's parent, by official identifier
}

// ImportProblem is a row the store refused, with the field and message id.
type ImportProblem struct {
	Line  int
	Field string
	Code  string
}

// ImportResult says what an import did, or would do.
type ImportResult struct {
	Created, Updated int
	Actions          map[int]string // line → "create" or "update"
	Problems         []ImportProblem
}

// errPreview rolls back a preview: it is not a failure.
var errPreview = errors.New("preview only")

// ImportPlaces creates or updates (matched by official identifier) every
// row in one transaction: all rows or none. With commit false it does the
// same work and rolls it back, so a preview says exactly what the import
// will do. Any row the store refuses is a problem, and nothing is written.
func (db *DB) ImportPlaces(ctx context.Context, orgID string, rows []ImportRow, commit bool, by string, now time.Time, progress func(done, total int)) (ImportResult, error) {
	res := ImportResult{Actions: map[int]string{}}
	err := db.WithTx(ctx, func(tx *Tx) error {
		// Places before their sub-units, so a parent in the same file exists.
		ordered := make([]ImportRow, 0, len(rows))
		for _, r := range rows {
			if r.ParentOfficialID == "" {
				ordered = append(ordered, r)
			}
		}
		for _, r := range rows {
			if r.ParentOfficialID != "" {
				ordered = append(ordered, r)
			}
		}
		for i, r := range ordered {
			if progress != nil && i%500 == 0 {
				progress(i, len(ordered))
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			p := r.Place
			if r.ParentOfficialID != "" {
				parent, err := tx.PlaceByOfficialID(ctx, orgID, r.ParentOfficialID)
				if fault.Is(err, fault.NotFound) {
					res.Problems = append(res.Problems, ImportProblem{Line: r.Line, Field: "parent_id", Code: "error.import.unknown_parent"})
					continue
				} else if err != nil {
					return err
				}
				p.ParentID = parent.ID
			}
			var existing place.Place
			var err error
			if p.OfficialID != "" {
				existing, err = tx.PlaceByOfficialID(ctx, orgID, p.OfficialID)
				if err != nil && !fault.Is(err, fault.NotFound) {
					return err
				}
			}
			if existing.ID != "" {
				p.ID, p.Version = existing.ID, existing.Version
				_, err = tx.UpdatePlace(ctx, orgID, p, by, now)
				res.Actions[r.Line] = "update"
			} else {
				_, err = tx.CreatePlace(ctx, orgID, p, by, now)
				res.Actions[r.Line] = "create"
			}
			if f, ok := fault.As(err); ok && f.Kind == fault.Invalid {
				for _, fe := range f.Fields {
					res.Problems = append(res.Problems, ImportProblem{Line: r.Line, Field: fe.Field, Code: fe.Code})
				}
				delete(res.Actions, r.Line)
				continue
			}
			if err != nil {
				return err
			}
			if existing.ID != "" {
				res.Updated++
			} else {
				res.Created++
			}
		}
		if progress != nil {
			progress(len(ordered), len(ordered))
		}
		if len(res.Problems) > 0 || !commit {
			return errPreview
		}
		return nil
	})
	if errors.Is(err, errPreview) {
		err = nil
	}
	if len(res.Problems) > 0 {
		res.Created, res.Updated = 0, 0
	}
	return res, err
}
