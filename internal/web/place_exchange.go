package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/audit"
	"github.com/tilsyn/tilsyn/internal/exchange"
	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/i18n"
	"github.com/tilsyn/tilsyn/internal/place"
	"github.com/tilsyn/tilsyn/internal/sqldb"
)

// Limits of the import pages.
const (
	// importFraming is what an upload request may hold beyond the file: the
	// multipart framing around it. The request body is cut there before
	// anything is parsed.
	importFraming = 1 << 20
	// importTTL is how long an upload waits for its confirmation.
	importTTL = 15 * time.Minute
	// importCacheEntries and importCacheBytes bound the uploads kept
	// waiting, over all users; the oldest are dropped first.
	importCacheEntries = 20
	importCacheBytes   = 100 << 20
	// importShown is how many rows and how many problems a preview lists;
	// it says how many more there are.
	importShown = 1000
	// exportPageSize is the page size an export reads the list in.
	exportPageSize = 500
)

// placeExchange serves the import and export of places. It holds the
// uploads waiting for confirmation, so the server needs no field of its
// own for them.
type placeExchange struct {
	s       *Server
	imports *importCache
}

// exchangeRoutes are the pages and API calls that import and export lists
// of places as files.
//
// An import takes two requests: the upload, which reads the file and shows
// what would happen, and the confirmation, which imports it. Between the
// two the uploaded bytes wait in this server's memory (importCache), not in
// the store; several application servers behind a load balancer therefore
// need sticky sessions for the two steps to reach the same server — else
// the confirmation finds no upload and asks for the file again.
func (s *Server) exchangeRoutes() []route {
	x := &placeExchange{s: s, imports: newImportCache(importTTL, importCacheEntries, importCacheBytes)}
	return []route{
		{"GET /places/export", account.PlaceRead, false, x.export(false), gateFull},
		{"GET /places/import", account.PlaceWrite, false, x.importForm, gateFull},
		{"POST /places/import", account.PlaceWrite, false, x.importUpload, gateFull},
		{"POST /places/import/confirm", account.PlaceWrite, false, x.importConfirm, gateFull},
		{"GET /api/v1/places/export", account.PlaceRead, true, x.export(true), gateFull},
	}
}

// ---- export ----

// export answers the whole filtered list of places (every page of it) as
// a CSV, XLSX or GeoJSON download. The file is made in memory first, so an
// error never sends half a file.
func (x *placeExchange) export(api bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		format := q.Get("format")
		ctype, ext, ok := exchange.ContentType(format)
		if !ok {
			return &fault.Error{Kind: fault.Invalid, Code: exchange.CodeUnknownFormat,
				Fields: []fault.FieldError{{Field: "format", Code: exchange.CodeUnknownFormat}}}
		}
		f := placeFilter(q)
		if err := checkFilter(f); err != nil {
			return err
		}
		f.After, f.Limit = "", exportPageSize
		places, err := x.allPlaces(r.Context(), reqState(r).member.Org.ID, f)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := exchange.WritePlaces(&buf, format, places); err != nil {
			return err
		}
		name := "places-" + x.s.Now().UTC().Format("2006-01-02") + ext
		h := w.Header()
		h.Set("Content-Type", ctype)
		h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
		h.Set("Content-Length", strconv.Itoa(buf.Len()))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = buf.WriteTo(w)
		}
		return nil
	}
}

// checkFilter refuses filter values that name no country, type or status.
func checkFilter(f place.Filter) error {
	var bad fault.Fields
	if f.Country != "" && !f.Country.Valid() {
		bad.Add("country", "error.place.unknown_country")
	}
	if f.Type != "" && !f.Type.Valid() {
		bad.Add("type", "error.place.unknown_type")
	}
	if f.Status != "" && !f.Status.Valid() {
		bad.Add("status", "error.place.bad_status")
	}
	return bad.Err()
}

// allPlaces reads every page of a filtered list.
func (x *placeExchange) allPlaces(ctx context.Context, orgID string, f place.Filter) ([]place.Place, error) {
	var out []place.Place
	for {
		pg, err := x.s.Places.Places(ctx, orgID, f)
		if err != nil {
			return nil, err
		}
		out = append(out, pg.Places...)
		if pg.Next == "" {
			return out, nil
		}
		f.After = pg.Next
	}
}

// exportQuery is the query string of a list's filters, for the download
// links: no cursor and no page size, so a download is always the whole list.
func exportQuery(f place.Filter) string {
	v := url.Values{}
	for _, p := range []struct{ key, value string }{
		{"q", f.Query}, {"country", string(f.Country)}, {"type", string(f.Type)},
		{"region", f.Region}, {"authority", f.Authority}, {"status", string(f.Status)},
	} {
		if p.value != "" {
			v.Set(p.key, p.value)
		}
	}
	return v.Encode()
}

// importedNote is the status line the places list shows after an import,
// from its "imported" query value "<created> <updated>" (sent as
// "created+updated"); "" when the value is absent or not two counts.
func importedNote(loc *i18n.Localizer, value string) string {
	parts := strings.FieldsFunc(value, func(r rune) bool { return r == ' ' || r == '+' })
	if len(parts) != 2 {
		return ""
	}
	created, err1 := strconv.Atoi(parts[0])
	updated, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || created < 0 || updated < 0 {
		return ""
	}
	return loc.T("import.done", "Created", loc.N("import.done_created", created), "Updated", loc.N("import.done_updated", updated))
}

// ---- import ----

// importPage is what place_import.html shows: the upload form, possibly
// with an error about the file as a whole, or the preview of a file read.
type importPage struct {
	MaxMB   int // the largest file accepted, in MiB
	Minutes int // how long a previewed upload waits for its confirmation

	Error   string   // why the file (or the upload) as a whole was refused
	Details []string // what the error is about, one line each (missing columns)

	Read         bool // a file was read: show the preview
	FileName     string
	Rows         int // rows read that became places
	Created      int
	Updated      int
	Actions      []importAction
	MoreActions  int
	Problems     []importProblem
	MoreProblems int
	Token        string // the confirmation's key; empty when there are problems
}

// importAction is one row of a preview: what the import does with it.
type importAction struct {
	Line             int
	Name, OfficialID string
	Update           bool
}

// importProblem is one problem of a preview, ready to show.
type importProblem struct {
	Line    int
	Where   string // the column as written in the file, or the field's label
	Value   string
	Message string
}

func (x *placeExchange) newImportPage() importPage {
	return importPage{MaxMB: int(x.s.MaxUpload >> 20), Minutes: int(importTTL / time.Minute)}
}

func (x *placeExchange) importForm(w http.ResponseWriter, r *http.Request) error {
	x.s.render(w, r, http.StatusOK, "place_import", "places", x.newImportPage())
	return nil
}

// formError shows the upload form again with a message about the file.
func (x *placeExchange) formError(w http.ResponseWriter, r *http.Request, code int, msg string, details ...string) {
	d := x.newImportPage()
	d.Error, d.Details = msg, details
	x.s.render(w, r, code, "place_import", "places", d)
}

// importUpload reads an uploaded file and shows what importing it would
// do, writing nothing. A clean file waits in the cache for confirmation.
func (x *placeExchange) importUpload(w http.ResponseWriter, r *http.Request) error {
	st := reqState(r)
	imp := x.s.Places
	// Cut the body before anything parses it: the file's limit, plus room
	// for the multipart framing.
	r.Body = http.MaxBytesReader(w, r.Body, x.s.MaxUpload+importFraming)
	name, data, err := readUpload(r, "file", x.s.MaxUpload)
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, errUploadTooLarge), errors.As(err, &tooBig):
		x.formError(w, r, http.StatusRequestEntityTooLarge, st.loc.T("import.too_large", "MB", x.s.MaxUpload>>20))
		return nil
	case errors.Is(err, errNoUpload):
		x.formError(w, r, http.StatusUnprocessableEntity, st.loc.T("import.no_file"))
		return nil
	case err != nil:
		return err
	}
	d, _, err := x.preview(r, imp, name, data, false)
	if err != nil {
		return x.fileError(w, r, err)
	}
	code := http.StatusOK
	if len(d.Problems) > 0 {
		code = http.StatusUnprocessableEntity
	} else {
		d.Token = x.imports.put(importUpload{orgID: st.member.Org.ID, userID: st.member.User.ID, fileName: name, data: data}, x.s.Now())
	}
	x.s.render(w, r, code, "place_import", "places", d)
	return nil
}

// importConfirm imports a previewed upload: all rows or none.
func (x *placeExchange) importConfirm(w http.ResponseWriter, r *http.Request) error {
	st := reqState(r)
	imp := x.s.Places
	if err := parseForm(w, r); err != nil {
		return err
	}
	up, ok := x.imports.take(r.PostForm.Get("token"), st.member.Org.ID, st.member.User.ID, x.s.Now())
	if !ok {
		x.formError(w, r, http.StatusUnprocessableEntity, st.loc.T("import.expired"))
		return nil
	}
	d, res, err := x.preview(r, imp, up.fileName, up.data, true)
	if err != nil {
		return x.fileError(w, r, err)
	}
	if len(d.Problems) > 0 { // the registry changed since the preview: nothing was written
		x.s.render(w, r, http.StatusUnprocessableEntity, "place_import", "places", d)
		return nil
	}
	if err := x.s.audit(r, audit.PlacesImported, "place", "", fmt.Sprintf("%d created, %d updated", res.Created, res.Updated)); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/places?imported=%d+%d", res.Created, res.Updated), http.StatusSeeOther)
	return nil
}

// preview reads a file and asks the store what importing it does, as the
// command does: the file's own problems first, and the store is asked only
// about a clean file. With commit the store writes it, unless a row is
// refused. A file that cannot be read at all is an *exchange.FileError.
func (x *placeExchange) preview(r *http.Request, imp PlaceStore, name string, data []byte, commit bool) (importPage, sqldb.ImportResult, error) {
	st := reqState(r)
	d := x.newImportPage()
	d.Read, d.FileName = true, name
	rows, problems, err := exchange.ReadPlaces(bytes.NewReader(data), name, exchange.ReadOptions{})
	if err != nil {
		return d, sqldb.ImportResult{}, err
	}
	d.Rows = len(rows)
	var res sqldb.ImportResult
	if len(problems) == 0 {
		in := make([]sqldb.ImportRow, len(rows))
		for i, row := range rows {
			in[i] = sqldb.ImportRow{Line: row.Line, Place: row.Place, ParentOfficialID: row.ParentOfficialID}
		}
		res, err = imp.ImportPlaces(r.Context(), st.member.Org.ID, in, commit, st.member.User.ID, x.s.Now(), nil)
		if err != nil {
			return d, res, err
		}
		for _, p := range res.Problems {
			problems = append(problems, exchange.Problem{Line: p.Line, Field: p.Field, Code: p.Code})
		}
	}
	slices.SortStableFunc(problems, func(a, b exchange.Problem) int { return a.Line - b.Line })
	for i, p := range problems {
		if i == importShown {
			d.MoreProblems = len(problems) - importShown
			break
		}
		d.Problems = append(d.Problems, importProblem{Line: p.Line, Where: problemWhere(st.loc, p), Value: p.Value, Message: st.loc.T(p.Code)})
	}
	if len(problems) > 0 {
		return d, res, nil
	}
	d.Created, d.Updated = res.Created, res.Updated
	for i, row := range rows {
		if i == importShown {
			d.MoreActions = len(rows) - importShown
			break
		}
		d.Actions = append(d.Actions, importAction{Line: row.Line, Name: row.Place.Name, OfficialID: row.Place.OfficialID, Update: res.Actions[row.Line] == "update"})
	}
	return d, res, nil
}

// problemWhere names where a problem is: the column as the file has it, or
// else the field's label, or else the field's name.
func problemWhere(loc *i18n.Localizer, p exchange.Problem) string {
	if p.Column != "" {
		return p.Column
	}
	if p.Field == "" {
		return ""
	}
	if id := "place.field." + p.Field; loc.T(id) != id {
		return loc.T(id)
	}
	return p.Field
}

// fileError shows the form again for a file that could not be read as a
// list of places; any other error is returned as it is.
func (x *placeExchange) fileError(w http.ResponseWriter, r *http.Request, err error) error {
	var fe *exchange.FileError
	if !errors.As(err, &fe) {
		return err
	}
	loc := reqState(r).loc
	var details []string
	for _, f := range fe.Fault.Fields {
		label := f.Field
		if id := "place.field." + f.Field; loc.T(id) != id {
			label = loc.T(id)
		}
		details = append(details, label+": "+loc.T(f.Code))
	}
	code := http.StatusUnprocessableEntity
	if fe.Fault.Code == exchange.CodeTooLarge {
		code = http.StatusRequestEntityTooLarge
	}
	x.formError(w, r, code, loc.T(fe.Fault.Code), details...)
	return nil
}

var (
	errNoUpload       = errors.New("no file uploaded")
	errUploadTooLarge = errors.New("uploaded file too large")
)

// readUpload reads the file of one field of a multipart form, streaming:
// at most limit+1 bytes of it are held, and a larger file is
// errUploadTooLarge. Other fields are skipped. A request that is not
// multipart, or has no file in the field, is errNoUpload; a body over the
// request's MaxBytesReader is its *http.MaxBytesError.
func readUpload(r *http.Request, field string, limit int64) (name string, data []byte, err error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, errNoUpload
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return "", nil, errNoUpload
		}
		if err != nil {
			return "", nil, uploadErr(err)
		}
		if part.FormName() != field {
			if _, err := io.Copy(io.Discard, part); err != nil {
				return "", nil, uploadErr(err)
			}
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, limit+1))
		if err != nil {
			return "", nil, uploadErr(err)
		}
		if int64(len(data)) > limit {
			return "", nil, errUploadTooLarge
		}
		if part.FileName() == "" && len(data) == 0 {
			return "", nil, errNoUpload // the form sent without a file chosen
		}
		return uploadName(part.FileName()), data, nil
	}
}

// uploadErr keeps a body-too-large error as it is and marks any other
// failure to read the multipart body as a malformed request.
func uploadErr(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return tooBig
	}
	if errors.Is(err, multipart.ErrMessageTooLarge) {
		return errUploadTooLarge
	}
	return errMalformed{"multipart body: " + err.Error()}
}

// uploadName is the base name of an uploaded file as the browser gave it,
// without any directory and at most 200 characters; "upload" when empty.
func uploadName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = strings.TrimSpace(path.Base(name))
	if name == "." || name == "/" {
		name = ""
	}
	name = strings.ToValidUTF8(name, "")
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	if name == "" {
		name = "upload"
	}
	return name
}

// ---- the uploads waiting for confirmation ----

// importUpload is one upload waiting for its confirmation.
type importUpload struct {
	orgID, userID string
	fileName      string
	data          []byte
	seq           uint64 // the order uploads were kept in, oldest lowest
	expires       time.Time
}

// importCache keeps uploads between preview and confirmation, in memory
// and bounded: each for ttl, at most maxEntries of them and maxBytes in
// all, the oldest dropped first to make room. The key is a random 256-bit
// token, so one user cannot guess another's; an upload is also bound to
// its organisation and user, and taken only by them. Being in memory, it
// is lost on restart and not shared between servers (see exchangeRoutes).
type importCache struct {
	mu         sync.Mutex
	ttl        time.Duration
	maxEntries int
	maxBytes   int
	bytes      int
	seq        uint64
	entries    map[string]*importUpload
}

func newImportCache(ttl time.Duration, maxEntries, maxBytes int) *importCache {
	return &importCache{ttl: ttl, maxEntries: maxEntries, maxBytes: maxBytes, entries: map[string]*importUpload{}}
}

// put keeps an upload and returns its token.
func (c *importCache) put(u importUpload, now time.Time) string {
	token := account.NewSecret("im_")
	u.expires = now.Add(c.ttl)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	u.seq = c.seq
	c.expire(now)
	for len(c.entries) > 0 && (len(c.entries)+1 > c.maxEntries || c.bytes+len(u.data) > c.maxBytes) {
		c.dropOldest()
	}
	c.entries[token] = &u
	c.bytes += len(u.data)
	return token
}

// take returns the upload of token and forgets it, when it has not expired
// and belongs to orgID and userID. Someone else's token is left in place.
func (c *importCache) take(token, orgID, userID string, now time.Time) (importUpload, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(now)
	u, ok := c.entries[token]
	if !ok || u.orgID != orgID || u.userID != userID {
		return importUpload{}, false
	}
	c.remove(token)
	return *u, true
}

// len is the number of uploads kept, for tests.
func (c *importCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

func (c *importCache) expire(now time.Time) {
	for token, u := range c.entries {
		if !now.Before(u.expires) {
			c.remove(token)
		}
	}
}

func (c *importCache) dropOldest() {
	var oldest string
	for token, u := range c.entries {
		if oldest == "" || u.seq < c.entries[oldest].seq {
			oldest = token
		}
	}
	c.remove(oldest)
}

func (c *importCache) remove(token string) {
	if u, ok := c.entries[token]; ok {
		c.bytes -= len(u.data)
		delete(c.entries, token)
	}
}
