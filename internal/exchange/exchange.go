// Package exchange reads and writes lists of places as files: CSV and XLSX
// for import, CSV, XLSX and GeoJSON for export. It is a pure library: it
// neither stores places nor answers requests; the store decides what an
// imported row becomes, and the web pages and commands show the problems.
//
// Reading returns every row that became a valid place and every problem
// found, each with the line (the sheet row for XLSX) and the column it was
// found in, so a preview can show them all at once. A file that cannot be
// read as a table at all is an error instead.
package exchange

import (
	"unicode/utf8"

	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/place"
)

// Row is one data row of an import that became a valid place. Line is
// 1-based and counts the header as line 1: for CSV it is the line of the
// file the row starts on, for XLSX the sheet's row number. ParentOfficialID
// is the official id of the place this one is a sub-unit of, as written;
// resolving it to a Place.ParentID is the store's job.
type Row struct {
	Line             int
	Place            place.Place
	ParentOfficialID string
}

// Problem is one error in a file: where and what. Code is an i18n message id
// (for example "error.import.unknown_type", or a code of place.Validate such
// as "error.too_long"); its message has no placeholders, so show Line,
// Column and Value beside it. Field is the place field ("name", "type",
// "lat", "parent_official_id" …), empty when the problem is not about one.
// Column is the column's header as written in a CSV file, or its letter
// ("C") in an XLSX sheet; empty when the problem is about the whole row.
// Value is the offending text, shortened to 100 characters.
type Problem struct {
	Line   int
	Column string
	Field  string
	Code   string
	Value  string
}

// ReadOptions tune ReadPlaces. The zero value is ready to use.
type ReadOptions struct {
	// MaxBytes is the largest file accepted; a larger one is refused
	// without reading more than MaxBytes+1 bytes. 0 means DefaultMaxBytes.
	MaxBytes int64
	// Progress, when set, is called now and then while rows are converted,
	// with the rows done so far and the total, and once at the end with
	// done == total.
	Progress func(done, total int)
}

// DefaultMaxBytes is the size limit when ReadOptions.MaxBytes is 0.
const DefaultMaxBytes = 20 << 20

// Message ids of the errors and problems this package reports. Each is in
// the catalogs locales/exchange.<lang>.toml.
const (
	CodeEmpty           = "error.import.empty"            // error: the file has no content
	CodeTooLarge        = "error.import.too_large"        // error: over ReadOptions.MaxBytes, or an XLSX that unpacks to too much
	CodeNotATable       = "error.import.not_a_table"      // error: neither CSV nor XLSX
	CodeOldExcel        = "error.import.old_excel"        // error: an .xls file or a password-protected workbook
	CodeBrokenXLSX      = "error.import.broken_xlsx"      // error: a damaged XLSX file
	CodeNoHeader        = "error.import.no_header"        // error: no header row with name, type and country; Fields lists the missing ones
	CodeMissingColumn   = "error.import.missing_column"   // in the Fields of a CodeNoHeader error
	CodeNoRows          = "error.import.no_rows"          // error: a header but no data rows
	CodeUnknownColumn   = "error.import.unknown_column"   // problem: a header that matches no field; the column is ignored
	CodeDuplicateColumn = "error.import.duplicate_column" // problem: a second column for the same field; it is ignored
	CodeColumnCount     = "error.import.column_count"     // problem: a CSV row with another number of cells than the header (Value: the row's count)
	CodeBadQuotes       = "error.import.bad_quotes"       // problem: a CSV row with misplaced quotation marks
	CodeBadNames        = "error.import.bad_names"        // problem: other names not written as "lang: name; lang: name"
	CodeUnknownType     = "error.import.unknown_type"     // problem: neither a type code nor a national term
	CodeUnknownCountry  = "error.import.unknown_country"  // problem: not a supported country
	CodeUnknownStatus   = "error.import.unknown_status"   // problem: not active, temporary or closed
	CodeUnknownCategory = "error.import.unknown_category" // problem: Value is the word not understood
	CodeBadNumber       = "error.import.bad_number"       // problem: capacity is not a whole number
	CodeBadCoordinate   = "error.import.bad_coordinate"   // problem: latitude or longitude is not a decimal number
	CodeDuplicateID     = "error.import.duplicate_id"     // problem: Value is the line that has this official id first
	CodeOwnParent       = "error.import.own_parent"       // problem: parent official id equal to the row's own
	CodeUnknownFormat   = "error.export.unknown_format"   // WritePlaces: a format other than csv, xlsx, geojson
)

// FileError is the error of a file that could not be read as a list of
// places. It unwraps to its *fault.Error of kind Invalid, so fault.As and
// fault.KindOf see the kind and the message id; File is the name given to
// ReadPlaces.
type FileError struct {
	File  string
	Fault *fault.Error
}

func (e *FileError) Error() string { return e.File + ": " + e.Fault.Error() }

// Unwrap returns the fault.
func (e *FileError) Unwrap() error { return e.Fault }

func fileError(name, code string, fields ...fault.FieldError) error {
	return &FileError{File: name, Fault: &fault.Error{Kind: fault.Invalid, Code: code, Fields: fields}}
}

// maxValue is the length, in characters, a Problem's Value is shortened to.
const maxValue = 100

// shorten cuts s to maxValue characters, the last being an ellipsis.
func shorten(s string) string {
	if utf8.RuneCountInString(s) <= maxValue {
		return s
	}
	n := 0
	for i := range s {
		if n == maxValue-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
