// Package i18n holds the interface text of Tilsyn in its five languages and
// chooses a language for each request. Messages live in TOML catalogs
// (locales/<lang>.toml and locales/<area>.<lang>.toml), one key per message, with CLDR plural forms
// (one, few, many, other) where a count changes the words.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.toml
var locales embed.FS

// Languages are the supported interface languages, English first: it is the
// complete catalog every other falls back to.
var Languages = []string{"en", "nb", "sv", "lt", "ru"}

// Endonym is each language's name in itself, for the language switcher.
var Endonym = map[string]string{"en": "English", "nb": "Norsk bokmål", "sv": "Svenska", "lt": "Lietuvių", "ru": "Русский"}

// Catalog holds every language's messages.
type Catalog struct {
	bundle  *goi18n.Bundle
	matcher language.Matcher
	tags    []language.Tag
	loc     map[string]*Localizer
	ids     map[string]map[string]bool // lang → message ids present
}

// New loads the embedded catalogs.
func New() (*Catalog, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &Catalog{bundle: b, loc: map[string]*Localizer{}, ids: map[string]map[string]bool{}}
	for _, lang := range Languages {
		// A language's catalog is <lang>.toml plus any <area>.<lang>.toml,
		// so each capability keeps its text in files of its own.
		files, err := fs.Glob(locales, "locales/*"+lang+".toml")
		if err != nil {
			return nil, err
		}
		c.ids[lang] = map[string]bool{}
		for _, file := range files {
			if base := path.Base(file); base != lang+".toml" && !strings.HasSuffix(base, "."+lang+".toml") {
				continue
			}
			mf, err := b.LoadMessageFileFS(locales, file)
			if err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", file, err)
			}
			for _, m := range mf.Messages {
				if c.ids[lang][m.ID] {
					return nil, fmt.Errorf("i18n: %s: message %q is defined twice", file, m.ID)
				}
				c.ids[lang][m.ID] = true
			}
		}
		c.tags = append(c.tags, language.Make(lang))
		c.loc[lang] = &Localizer{lang: lang, l: goi18n.NewLocalizer(b, lang), catalog: c}
	}
	c.matcher = language.NewMatcher(c.tags)
	return c, nil
}

// Match picks the supported language closest to the preferences given, in
// order: each may be a language code or an Accept-Language header. It
// returns "en" when nothing matches.
func (c *Catalog) Match(prefs ...string) string {
	for _, p := range prefs {
		if p == "" {
			continue
		}
		if _, ok := c.loc[p]; ok {
			return p
		}
		tags, _, err := language.ParseAcceptLanguage(p)
		if err != nil || len(tags) == 0 {
			continue
		}
		_, i, conf := c.matcher.Match(tags...)
		if conf != language.No {
			return Languages[i]
		}
	}
	return "en"
}

// Supported reports whether lang is one of the interface languages.
func (c *Catalog) Supported(lang string) bool {
	_, ok := c.loc[lang]
	return ok
}

// For returns the localizer of lang, English when lang is not supported.
func (c *Catalog) For(lang string) *Localizer {
	if l, ok := c.loc[lang]; ok {
		return l
	}
	return c.loc["en"]
}

// Has reports whether lang's own catalog has message id (without falling back).
func (c *Catalog) Has(lang, id string) bool { return c.ids[lang][id] }

// IDs returns the message ids of lang's own catalog.
func (c *Catalog) IDs(lang string) []string {
	var out []string
	for id := range c.ids[lang] {
		out = append(out, id)
	}
	return out
}

// Localizer renders messages in one language.
type Localizer struct {
	lang    string
	l       *goi18n.Localizer
	catalog *Catalog
}

// Lang is the localizer's language code.
func (l *Localizer) Lang() string { return l.lang }

// T renders message id; args are name, value pairs for its placeholders
// ({{.Name}}). A missing message renders as its id, which tests catch.
func (l *Localizer) T(id string, args ...any) string {
	return l.render(id, nil, args)
}

// N renders message id with the plural form for count n in the
// localizer's language; the message sees n as {{.Count}}.
func (l *Localizer) N(id string, n int, args ...any) string {
	return l.render(id, n, append([]any{"Count", n}, args...))
}

func (l *Localizer) render(id string, count any, args []any) string {
	var data map[string]any
	if len(args) > 0 {
		data = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	s, err := l.l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if s == "" && err != nil {
		return id
	}
	return s
}

// Dir is the text direction of the language; all supported ones are left to right.
func (l *Localizer) Dir() string { return "ltr" }

// Key joins parts into a message id: Key("placetype", "PRI") = "placetype.PRI".
func Key(parts ...string) string { return strings.Join(parts, ".") }
