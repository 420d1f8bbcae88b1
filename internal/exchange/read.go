package exchange

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/place"
)

// rawRow is one non-empty row of a file before it is understood.
type rawRow struct {
	line    int
	cells   []string
	problem string // CodeBadQuotes when the CSV row could not be parsed
	value   string // the line's text, for such a problem
}

// table is a file's rows and how to name its columns.
type table struct {
	xlsx bool
	rows []rawRow
}

// headerSearch is how many non-empty rows at the top of a file may hold the
// header: a title line or two above it is common in spreadsheets.
const headerSearch = 10

var (
	zipMagic = []byte("PK\x03\x04")
	zipEmpty = []byte("PK\x05\x06")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// ReadPlaces reads a list of places from a CSV or XLSX file, told apart by
// content, not by name. It returns every row that became a valid place and
// every problem found, all at once; a row with a problem is not among the
// rows. A file that is over the size limit, empty, neither CSV nor XLSX, a
// damaged XLSX, has no header row with name, type and country columns, or
// no data rows is an error: a *FileError naming fileName, which unwraps to
// a *fault.Error of kind Invalid with one of the Code* message ids.
//
// CSV may be UTF-8 (with or without a byte-order mark), UTF-16 with a
// byte-order mark, Windows-1251 or Windows-1257, separated by commas,
// semicolons or tabs. XLSX is read from its first sheet, each cell as the
// spreadsheet shows it. The header row may be any of the first ten
// non-empty rows, its column names in any of the five languages.
func ReadPlaces(r io.Reader, fileName string, opt ReadOptions) ([]Row, []Problem, error) {
	limit := opt.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, nil, fmt.Errorf("exchange: reading %s: %w", fileName, err)
	}
	if int64(len(data)) > limit {
		return nil, nil, fileError(fileName, CodeTooLarge)
	}
	if len(bytes.TrimSpace(bytes.TrimPrefix(data, bomUTF8))) == 0 {
		return nil, nil, fileError(fileName, CodeEmpty)
	}
	var (
		t    *table
		code string
	)
	switch {
	case bytes.HasPrefix(data, zipMagic), bytes.HasPrefix(data, zipEmpty):
		t, code, err = readXLSX(data, limit)
	case bytes.HasPrefix(data, oleMagic):
		code = CodeOldExcel
	default:
		t, code, err = readCSV(data)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("exchange: reading %s: %w", fileName, err)
	}
	if code != "" {
		return nil, nil, fileError(fileName, code)
	}
	return t.convert(fileName, opt.Progress)
}

// readCSV splits a text file into rows. code is set when it is not text.
func readCSV(data []byte) (*table, string, error) {
	text, _, ok := decodeText(data)
	if !ok {
		return nil, CodeNotATable, nil
	}
	cr := newCSVReader(text, separator(text))
	t := &table{}
	var lines []int // start offsets of the lines, made when a row cannot be parsed
	lastOffset := int64(-1)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, "", err
			}
			if cr.InputOffset() == lastOffset { // no progress: never expected, but never loop
				break
			}
			lastOffset = cr.InputOffset()
			if lines == nil {
				lines = lineStarts(text)
			}
			t.rows = append(t.rows, rawRow{line: pe.StartLine, problem: CodeBadQuotes, value: lineText(text, lines, pe.Line)})
			continue
		}
		lastOffset = cr.InputOffset()
		if blank(rec) {
			continue
		}
		line, _ := cr.FieldPos(0)
		t.rows = append(t.rows, rawRow{line: line, cells: rec})
	}
	return t, "", nil
}

func newCSVReader(text string, sep rune) *csv.Reader {
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = sep
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = false
	return cr
}

// separator picks the CSV separator: comma, semicolon or tab, whichever
// makes a complete header row among the first lines; failing that the one
// found most often in the first line that has any, outside quotes.
func separator(text string) rune {
	seps := []rune{',', ';', '\t'}
	best, bestScore := rune(0), 0
	for _, sep := range seps {
		cr := newCSVReader(text, sep)
		for i := 0; i < headerSearch; {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil || blank(rec) {
				if err != nil {
					i++
				}
				continue
			}
			i++
			if n, complete := headerScore(rec); complete && n > bestScore {
				best, bestScore = sep, n
			}
		}
	}
	if best != 0 {
		return best
	}
	// No header under any separator (the file will be refused): count.
	counts := firstLineCounts(text)
	best = ','
	for _, sep := range seps[1:] {
		if counts[sep] > counts[best] {
			best = sep
		}
	}
	return best
}

// firstLineCounts counts the characters, outside quotes, of the first line
// that has a comma, semicolon or tab.
func firstLineCounts(text string) map[rune]int {
	inQuotes := false
	counts := map[rune]int{}
	for _, r := range text {
		switch {
		case r == '"':
			inQuotes = !inQuotes
		case r == '\n' && !inQuotes:
			if counts[','] > 0 || counts[';'] > 0 || counts['\t'] > 0 {
				return counts
			}
		case !inQuotes:
			counts[r]++
		}
	}
	return counts
}

func lineStarts(text string) []int {
	starts := []int{0}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// lineText is line n (1-based) of text, without its line break.
func lineText(text string, starts []int, n int) string {
	if n < 1 || n > len(starts) {
		return ""
	}
	end := len(text)
	if n < len(starts) {
		end = starts[n]
	}
	return shorten(strings.TrimRight(text[starts[n-1]:end], "\r\n"))
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// xlsxCellBudget bounds the cells read from a sheet, counting the empty
// ones before the last filled cell of each row: a crafted sheet with a value
// in column XFD of every row would otherwise cost gigabytes.
const xlsxCellBudget = 10_000_000

// readXLSX reads the first sheet of a workbook. code is set when the file is
// not a workbook, is damaged or unpacks to too much.
func readXLSX(data []byte, limit int64) (t *table, code string, err error) {
	defer func() { // a damaged file must not take the server down
		if v := recover(); v != nil {
			t, code, err = nil, CodeBrokenXLSX, nil
		}
	}()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, CodeBrokenXLSX, nil
	}
	// A workbook may unpack to about twenty times its size; refuse more
	// before excelize unpacks it. Go's zip reader fails on a part longer
	// than it declares, so the declared sizes can be trusted.
	unzipLimit := max(20*limit, 64<<20)
	var total uint64
	workbook := false
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if strings.EqualFold(strings.ReplaceAll(f.Name, "\\", "/"), "xl/workbook.xml") {
			workbook = true
		}
	}
	if !workbook {
		return nil, CodeNotATable, nil // an OpenDocument or Word file, say
	}
	if total > uint64(unzipLimit) {
		return nil, CodeTooLarge, nil
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    unzipLimit,
		UnzipXMLSizeLimit: min(unzipLimit, 16<<20),
	})
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		return nil, CodeBrokenXLSX, nil
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, CodeBrokenXLSX, nil
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, CodeBrokenXLSX, nil
	}
	defer rows.Close()
	t = &table{xlsx: true}
	cells := 0
	for n := 1; rows.Next(); n++ { // Next steps one sheet row at a time, empty ones too
		rec, err := rows.Columns()
		if err != nil {
			return nil, CodeBrokenXLSX, nil
		}
		if cells += len(rec); cells > xlsxCellBudget {
			return nil, CodeTooLarge, nil
		}
		if blank(rec) {
			continue
		}
		t.rows = append(t.rows, rawRow{line: n, cells: rec})
	}
	if rows.Error() != nil {
		return nil, CodeBrokenXLSX, nil
	}
	return t, "", nil
}

// convert finds the header and turns every row after it into a place.
func (t *table) convert(fileName string, progress func(done, total int)) ([]Row, []Problem, error) {
	h := -1
	bestScore, best := -1, -1
	for i := 0; i < len(t.rows) && i < headerSearch; i++ {
		if t.rows[i].problem != "" {
			continue
		}
		n, complete := headerScore(t.rows[i].cells)
		if complete {
			h = i
			break
		}
		if n > bestScore {
			bestScore, best = n, i
		}
	}
	if h < 0 {
		var have map[field]bool
		if best >= 0 {
			have = map[field]bool{}
			for _, c := range t.rows[best].cells {
				f, _ := matchHeader(c)
				have[f] = true
			}
		}
		var missing []fault.FieldError
		for _, f := range requiredFields {
			if !have[f] {
				missing = append(missing, fault.FieldError{Field: f.String(), Code: CodeMissingColumn})
			}
		}
		return nil, nil, fileError(fileName, CodeNoHeader, missing...)
	}
	header := t.rows[h]
	data := t.rows[h+1:]
	if len(data) == 0 {
		return nil, nil, fileError(fileName, CodeNoRows)
	}

	var problems []Problem
	cv := newConverter(t.xlsx)
	used := map[string]bool{}
	for i, hc := range header.cells {
		hc = strings.TrimSpace(hc)
		if hc == "" {
			continue
		}
		col := column{index: i, header: hc, name: hc}
		if t.xlsx {
			col.name, _ = excelize.ColumnNumberToName(i + 1)
		}
		col.field, col.lang = matchHeader(hc)
		switch id := col.field.String() + ":" + col.lang; {
		case col.field == fNone:
			problems = append(problems, Problem{Line: header.line, Column: col.name, Code: CodeUnknownColumn, Value: shorten(hc)})
		case used[id]:
			problems = append(problems, Problem{Line: header.line, Column: col.name, Field: col.field.String(), Code: CodeDuplicateColumn, Value: shorten(hc)})
		default:
			used[id] = true
			cv.add(col)
		}
	}

	rows := make([]Row, 0, len(data))
	firstLine := map[string]int{} // official id → line it is first on
	width := len(header.cells)
	for i, raw := range data {
		if progress != nil && i%1000 == 0 {
			progress(i, len(data))
		}
		if raw.problem != "" {
			problems = append(problems, Problem{Line: raw.line, Code: raw.problem, Value: raw.value})
			continue
		}
		if !t.xlsx && len(raw.cells) != width && !(len(raw.cells) > width && blank(raw.cells[width:])) {
			problems = append(problems, Problem{Line: raw.line, Code: CodeColumnCount, Value: strconv.Itoa(len(raw.cells))})
			continue
		}
		row, rowProblems := cv.convert(raw.line, raw.cells)
		if id := row.Place.OfficialID; id != "" {
			if first, seen := firstLine[id]; seen {
				rowProblems = append(rowProblems, cv.problem(raw.line, fOfficialID, CodeDuplicateID, strconv.Itoa(first)))
			} else {
				firstLine[id] = raw.line
			}
		}
		if len(rowProblems) > 0 {
			problems = append(problems, rowProblems...)
			continue
		}
		rows = append(rows, row)
	}
	if progress != nil {
		progress(len(data), len(data))
	}
	return rows, problems, nil
}

// converter turns the cells of a row into a place.
type converter struct {
	xlsx    bool
	cols    []column
	byField [nFields]int // index into cols of the field's first column, or -1
	// What a text resolved to, as the same few texts repeat on every row.
	types      map[string]place.Type
	nations    map[string]place.Country
	statuses   map[string]place.Status
	categories map[string][]place.Category
}

func newConverter(xlsx bool) *converter {
	cv := &converter{xlsx: xlsx, types: map[string]place.Type{}, nations: map[string]place.Country{},
		statuses: map[string]place.Status{}, categories: map[string][]place.Category{}}
	for i := range cv.byField {
		cv.byField[i] = -1
	}
	return cv
}

func (cv *converter) add(col column) {
	if cv.byField[col.field] < 0 {
		cv.byField[col.field] = len(cv.cols)
	}
	cv.cols = append(cv.cols, col)
}

// columnOf is the column a problem with field f is shown in.
func (cv *converter) columnOf(f field) (column, bool) {
	alternatives := map[field][]field{fNames: {fNames, fNameLang}, fNameLang: {fNameLang, fNames}, fLat: {fLat, fLon}, fLon: {fLon, fLat}}
	for _, g := range append(alternatives[f], f) {
		if i := cv.byField[g]; i >= 0 {
			return cv.cols[i], true
		}
	}
	return column{}, false
}

func (cv *converter) problem(line int, f field, code, value string) Problem {
	p := Problem{Line: line, Field: f.String(), Code: code, Value: shorten(value)}
	if col, ok := cv.columnOf(f); ok {
		p.Column = col.name
	}
	return p
}

// fieldByName maps place.Validate's field names back to columns.
var fieldByName = map[string]field{}

func init() {
	for f := fName; f < nFields; f++ {
		if _, ok := fieldByName[f.String()]; !ok {
			fieldByName[f.String()] = f
		}
	}
}

func (cv *converter) convert(line int, cells []string) (Row, []Problem) {
	var (
		p        place.Place
		row      = Row{Line: line}
		problems []Problem
		reported [nFields]bool
		values   [nFields]string // each field's text as written, for problems
		typeText string
	)
	fail := func(f field, code, value string, col column) {
		problems = append(problems, Problem{Line: line, Column: col.name, Field: f.String(), Code: code, Value: shorten(value)})
		reported[f] = true
	}
	for _, col := range cv.cols {
		v := ""
		if col.index < len(cells) {
			v = strings.TrimSpace(cells[col.index])
		}
		if !cv.xlsx {
			v = unneutralise(v)
		}
		if values[col.field] == "" {
			values[col.field] = v
		}
		if v == "" {
			continue
		}
		switch col.field {
		case fName:
			p.Name = v
		case fNames:
			names, ok := parseNames(v)
			if !ok {
				fail(fNames, CodeBadNames, v, col)
			}
			p.Names = append(p.Names, names...)
		case fNameLang:
			p.Names = append(p.Names, place.LocalName{Lang: col.lang, Name: v})
		case fType:
			typeText = v
		case fCountry:
			c, ok := cv.nations[v]
			if !ok {
				c, ok = resolveCountry(v)
				if ok {
					cv.nations[v] = c
				}
			}
			if !ok {
				fail(fCountry, CodeUnknownCountry, v, col)
			}
			p.Country = c
		case fRegion:
			p.Region = v
		case fMunicipality:
			p.Municipality = v
		case fAddress:
			p.Address = v
		case fLat, fLon:
			x, ok := parseCoordinate(v)
			if !ok {
				fail(col.field, CodeBadCoordinate, v, col)
				break
			}
			if col.field == fLat {
				p.Lat = &x
			} else {
				p.Lon = &x
			}
		case fAuthority:
			p.Authority = v
		case fCapacity:
			n, ok := parseCapacity(v)
			if !ok {
				fail(fCapacity, CodeBadNumber, v, col)
				break
			}
			p.Capacity = &n
		case fStatus:
			s, ok := cv.statuses[v]
			if !ok {
				if s, ok = resolveStatus(v); ok {
					cv.statuses[v] = s
				}
			}
			if !ok {
				fail(fStatus, CodeUnknownStatus, v, col)
			}
			p.Status = s
		case fCategories:
			cats, ok := cv.categories[v]
			if !ok {
				var bad string
				if cats, bad = resolveCategories(v); bad != "" {
					fail(fCategories, CodeUnknownCategory, bad, col)
				} else {
					cv.categories[v] = cats
				}
			}
			p.Categories = append([]place.Category(nil), cats...)
		case fOfficialID:
			p.OfficialID = v
		case fParent:
			row.ParentOfficialID = v
		case fWebsite:
			p.Website = v
		case fNotes:
			p.Notes = v
		}
	}
	if typeText != "" {
		memo := typeText + "\x00" + string(p.Country)
		t, ok := cv.types[memo]
		if !ok {
			if t, ok = resolveType(typeText, p.Country); ok {
				cv.types[memo] = t
			}
		}
		if !ok {
			col, _ := cv.columnOf(fType)
			fail(fType, CodeUnknownType, typeText, col)
		}
		p.Type = t
	}
	p.Normalize()
	if parent := row.ParentOfficialID; parent != "" {
		col, _ := cv.columnOf(fParent)
		switch {
		case len([]rune(parent)) > place.MaxOther:
			fail(fParent, "error.too_long", parent, col)
		case parent == p.OfficialID:
			fail(fParent, CodeOwnParent, parent, col)
		}
	}
	if err := p.Validate(); err != nil {
		e, _ := fault.As(err)
		if e == nil {
			e = &fault.Error{Fields: []fault.FieldError{{Code: "error.invalid"}}}
		}
		for _, fe := range e.Fields {
			f := fieldByName[fe.Field]
			if f == fLat && p.Lat != nil && p.Lon != nil && *p.Lat >= -90 && *p.Lat <= 90 {
				f = fLon // the latitude is fine: the longitude is out of range
			}
			if reported[f] || (f == fLat || f == fLon) && (reported[fLat] || reported[fLon]) {
				continue
			}
			value := values[f]
			if f == fNames && value == "" {
				value = values[fNameLang]
			}
			if f == fLat && value == "" {
				value = values[fLon]
			}
			problems = append(problems, cv.problem(line, f, fe.Code, value))
			reported[f] = true
		}
	}
	row.Place = p
	return row, problems
}
