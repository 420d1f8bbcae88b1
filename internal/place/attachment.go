package place

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tilsyn/tilsyn/internal/fault"
)

// Attachment is a file kept with a place: a photograph of the premises, a
// scan of a document. Data is held only when the file itself is read.
type Attachment struct {
	ID            string
	PlaceID       string
	Name          string
	ContentType   string
	Size          int64
	PeopleVisible bool // the picture shows people: it needs their consent to be used
	CreatedBy     string
	CreatedAt     time.Time
	Data          []byte
}

// MaxAttachment is the largest file a place may hold.
const MaxAttachment = 10 << 20

// CleanName keeps a file name that is safe to show and to offer back: no
// path, no control characters, at most 200 characters.
func CleanName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 32 || r == 127 || r == '"' {
			return -1
		}
		return r
	}, strings.TrimSpace(name))
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "")
	}
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	if name == "" {
		name = "file"
	}
	return name
}

// Validate checks the size.
func (a Attachment) Validate() error {
	var f fault.Fields
	switch {
	case len(a.Data) == 0:
		f.Add("file", "error.required")
	case len(a.Data) > MaxAttachment:
		f.Add("file", "error.media.too_large")
	}
	return f.Err()
}
