// Package web serves Tilsyn's HTML pages and its JSON API (/api/v1) over the
// domain packages and the store.
package web

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tilsyn/tilsyn/internal/account"
	"github.com/tilsyn/tilsyn/internal/audit"
	"github.com/tilsyn/tilsyn/internal/exchange"
	"github.com/tilsyn/tilsyn/internal/i18n"
	"github.com/tilsyn/tilsyn/internal/place"
	"github.com/tilsyn/tilsyn/internal/sqldb"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// PlaceStore is what the web layer needs of the places registry.
type PlaceStore interface {
	CreatePlace(ctx context.Context, orgID string, p place.Place, by string, now time.Time) (place.Place, error)
	Place(ctx context.Context, orgID, id string) (place.Place, error)
	PlaceExists(ctx context.Context, id string) (bool, error)
	UpdatePlace(ctx context.Context, orgID string, p place.Place, by string, now time.Time) (place.Place, error)
	Places(ctx context.Context, orgID string, f place.Filter) (place.Page, error)
	PlaceCounts(ctx context.Context, orgID string) (map[place.Country]int, error)
	PlaceValues(ctx context.Context, orgID, column string) ([]string, error)
	ArchivePlace(ctx context.Context, orgID, id string, archived bool, now time.Time) error
	PlaceHistory(ctx context.Context, orgID, placeID string) ([]sqldb.PlaceVersion, error)
	SubUnits(ctx context.Context, orgID, parentID string) ([]place.Place, error)
	DueCandidates(ctx context.Context, orgID string, country place.Country, typ place.Type) ([]place.Candidate, error)
	Intervals(ctx context.Context, orgID string) (map[place.Type]int, error)
	SetIntervals(ctx context.Context, orgID string, months map[place.Type]int) error
	ImportPlaces(ctx context.Context, orgID string, rows []sqldb.ImportRow, commit bool, by string, now time.Time, progress func(done, total int)) (sqldb.ImportResult, error)
	AddAttachment(ctx context.Context, orgID string, a place.Attachment, now time.Time) (place.Attachment, error)
	Attachments(ctx context.Context, orgID, placeID string) ([]place.Attachment, error)
	Attachment(ctx context.Context, orgID, placeID, id string) (place.Attachment, error)
	AddPopulation(ctx context.Context, orgID, placeID string, s place.Snapshot, by string, now time.Time) (place.Snapshot, error)
	Population(ctx context.Context, orgID, placeID string) ([]place.Snapshot, error)
}

// SessionStore is what signing in and recognising a request need.
type SessionStore interface {
	UserByEmail(ctx context.Context, email string) (account.User, error)
	FirstMembership(ctx context.Context, userID string) (account.Member, error)
	CreateSession(ctx context.Context, secretHash string, s account.Session, now time.Time) (account.Session, error)
	SessionMember(ctx context.Context, secretHash string, now time.Time, limits account.SessionLimits) (account.Member, error)
	SetSessionMFA(ctx context.Context, secretHash string) error
	DeleteSession(ctx context.Context, secretHash string) error
	TokenMember(ctx context.Context, secretHash string, now time.Time) (account.Member, error)
	RecordLoginFailure(ctx context.Context, email, ip string, now time.Time) error
	LoginFailures(ctx context.Context, email, ip string, since time.Time) (byEmail, byIP int, oldest time.Time, err error)
	ClearLoginFailures(ctx context.Context, email string) error
	UseRecoveryCode(ctx context.Context, userID, codeHash string, now time.Time) (bool, error)
	UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error)
}

// AccountStore is what the profile and administration pages need.
type AccountStore interface {
	SessionStore
	OrgBySlug(ctx context.Context, slug string) (account.Org, error)
	UpdateOrg(ctx context.Context, o account.Org) error
	CreateOrgWithAdmin(ctx context.Context, o account.Org, adminUserID string, now time.Time) (account.Org, error)
	Membership(ctx context.Context, userID, orgID string) (account.Member, error)
	Memberships(ctx context.Context, userID string) ([]account.Member, error)
	Members(ctx context.Context, orgID string) ([]account.Member, error)
	AddMember(ctx context.Context, orgID string, u account.User, role account.Role, now time.Time) (account.User, error)
	SetRole(ctx context.Context, orgID, userID string, role account.Role) error
	SetDisabled(ctx context.Context, userID string, disabled bool) error
	SetPassword(ctx context.Context, userID, hash, keepSessionID string) error
	SetLocale(ctx context.Context, userID, locale string) error
	SetTOTP(ctx context.Context, userID, secret string, enabled bool, recoveryHashes []string) error
	RecoveryCodesLeft(ctx context.Context, userID string) (int, error)
	SwitchSessionOrg(ctx context.Context, secretHash, orgID string) error
	Sessions(ctx context.Context, userID string) ([]account.Session, error)
	EndSession(ctx context.Context, userID, sessionID string) error
	EndSessions(ctx context.Context, userID, keepSessionID string) error
	CreatePasswordReset(ctx context.Context, secretHash, userID, createdBy string, now, expires time.Time) error
	PasswordResetUser(ctx context.Context, secretHash string, now time.Time) (account.User, error)
	UsePasswordReset(ctx context.Context, secretHash, passwordHash string, now time.Time) (account.User, error)
	CreateToken(ctx context.Context, t account.Token, secretHash string, now time.Time) (account.Token, error)
	Tokens(ctx context.Context, orgID, userID string) ([]account.Token, error)
	RevokeToken(ctx context.Context, orgID, userID, tokenID, by string, now time.Time) error
}

// AuditStore is the audit log.
type AuditStore interface {
	AppendAudit(ctx context.Context, e audit.Entry) (audit.Entry, error)
	AuditEntries(ctx context.Context, f audit.Filter) ([]audit.Entry, error)
}

// Deps are everything the server needs; there are no globals.
type Deps struct {
	Places   PlaceStore
	Accounts AccountStore
	Audit    AuditStore
	Health   func(context.Context) error // nil error when the store answers
	Catalog  *i18n.Catalog
	Logger   *slog.Logger
	Now      func() time.Time      // the clock; time.Now when nil
	OpenAPI  []byte                // the API description served at /api/v1/openapi.yaml
	Sessions account.SessionLimits // idle and absolute session limits; the defaults when zero
	// MaxUpload is the largest file an upload may carry, in bytes;
	// exchange.DefaultMaxBytes when zero. Larger ones are refused before
	// they are read whole.
	MaxUpload int64
}

// Server is the HTTP side of Tilsyn.
type Server struct {
	Deps
	pages   map[string]map[string]*template.Template // language → page → template
	assets  map[string]asset                         // hashed name → asset
	urls    map[string]string                        // plain name → hashed URL
	routes  []route
	methods *http.ServeMux // the routes that name a method, to tell 405 from 404
	h       http.Handler
}

type asset struct {
	body  []byte
	ctype string
}

// NewServer parses every template and asset, so a broken one fails at start
// rather than on a user's click, and returns the server's handler.
func NewServer(d Deps) (*Server, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.MaxUpload <= 0 {
		d.MaxUpload = exchange.DefaultMaxBytes
	}
	if d.Sessions.Idle <= 0 {
		d.Sessions.Idle = account.DefaultLimits.Idle
	}
	if d.Sessions.Absolute <= 0 {
		d.Sessions.Absolute = account.DefaultLimits.Absolute
	}
	s := &Server{Deps: d}
	if err := s.loadAssets(); err != nil {
		return nil, err
	}
	if err := s.loadTemplates(); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	s.routes = s.routeTable()
	s.methods = http.NewServeMux()
	for _, rt := range s.routes {
		mux.Handle(rt.pattern, s.wrap(rt))
		if strings.Contains(rt.pattern, " ") {
			s.methods.Handle(rt.pattern, http.NotFoundHandler())
		}
	}
	s.h = s.middleware(mux)
	return s, nil
}

// ServeHTTP serves a request through the middleware chain.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.h.ServeHTTP(w, r) }

func (s *Server) loadAssets() error {
	s.assets, s.urls = map[string]asset{}, map[string]string{}
	return fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		name := path.Base(p)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		s.assets[hashed] = asset{body: body, ctype: ctype}
		s.urls[name] = "/static/" + hashed
		return nil
	})
}

type langOption struct{ Code, Name string }

func (s *Server) funcs(loc *i18n.Localizer) template.FuncMap {
	var langs []langOption
	for _, l := range i18n.Languages {
		langs = append(langs, langOption{l, i18n.Endonym[l]})
	}
	return template.FuncMap{
		"t":    loc.T,
		"tn":   loc.N,
		"lang": loc.Lang,
		"asset": func(name string) (string, error) {
			u, ok := s.urls[name]
			if !ok {
				return "", fmt.Errorf("no asset %q", name)
			}
			return u, nil
		},
		"languages":  func() []langOption { return langs },
		"countries":  func() []place.Country { return place.Countries },
		"placeTypes": func() []place.TypeInfo { return place.Types },
		"countryName": func(c place.Country) string {
			return loc.T("country." + string(c))
		},
		"placeTypeName": func(t place.Type) string { return loc.T("placetype." + string(t)) },
		"nationalName":  func(t place.Type, c place.Country) string { return t.NationalName(c) },
		"nationalNames": func(t place.Type) string {
			ti, _ := place.Lookup(t)
			var parts []string
			for _, c := range place.Countries {
				if n := ti.National[c]; n != "" {
					parts = append(parts, string(c)+": "+n)
				}
			}
			return strings.Join(parts, "; ")
		},
		"placeStatuses":   func() []place.Status { return place.Statuses },
		"placeCategories": func() []place.Category { return place.Categories },
		"hasCategory":     func(p place.Place, c place.Category) bool { return slices.Contains(p.Categories, c) },
		"list":            func(items ...string) []string { return items },
		"inc":             func(i int) int { return i + 1 },
		"kb":              func(n int64) string { return fmt.Sprintf("%d kB", (n+1023)/1024) },
		"field": func(p place.Place, name string) string {
			return map[string]string{"region": p.Region, "municipality": p.Municipality}[name]
		},
		"deref": func(v any) any {
			switch x := v.(type) {
			case *int:
				if x != nil {
					return *x
				}
			case *float64:
				if x != nil {
					return *x
				}
			}
			return ""
		},
		"fmtTime": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") + " UTC" },
		"isoTime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	}
}

// parseLanguage parses every page with the layout, bound to one language.
func (s *Server) parseLanguage(lang string, pageNames []string) (map[string]*template.Template, error) {
	base, err := template.New("layout").Funcs(s.funcs(s.Catalog.For(lang))).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, name := range pageNames {
		c, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := c.ParseFS(templateFS, "templates/"+name+".html"); err != nil {
			return nil, fmt.Errorf("templates: %s: %w", name, err)
		}
		pages[name] = c
	}
	return pages, nil
}

func (s *Server) loadTemplates() error {
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	var pageNames []string // every template but the layout is a page
	for _, f := range files {
		if name := strings.TrimSuffix(path.Base(f), ".html"); name != "layout" {
			pageNames = append(pageNames, name)
		}
	}
	// Each language's set is parsed on its own goroutine: start-up waits
	// for the slowest, not for all five in turn.
	sets := make([]map[string]*template.Template, len(i18n.Languages))
	errs := make([]error, len(i18n.Languages))
	var wg sync.WaitGroup
	for i, lang := range i18n.Languages {
		wg.Go(func() { sets[i], errs[i] = s.parseLanguage(lang, pageNames) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	s.pages = map[string]map[string]*template.Template{}
	for i, lang := range i18n.Languages {
		s.pages[lang] = sets[i]
	}
	return nil
}
