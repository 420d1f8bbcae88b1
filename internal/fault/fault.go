// Package fault holds the kinds of error that Tilsyn's domain packages return,
// so the web layer can map each to a status without knowing where it came from.
//
// An Error's Code is a message id from the i18n catalogs: it is safe to show a
// user once translated. Internal detail is wrapped with fmt.Errorf and logged,
// never shown.
package fault

import (
	"errors"
	"fmt"
	"strings"
)

// Kind says what went wrong, in terms a caller can act on.
type Kind int

const (
	Internal     Kind = iota // a bug or an unreachable dependency
	Invalid                  // the input breaks a rule; see Fields
	NotFound                 // no such record, or none the caller may see
	Conflict                 // the record changed or already exists
	Forbidden                // the caller is known but may not do this
	Unauthorized             // the caller is not known
	Sealed                   // confidential content while the server has no key
	TooMany                  // throttled
)

func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case NotFound:
		return "not found"
	case Conflict:
		return "conflict"
	case Forbidden:
		return "forbidden"
	case Unauthorized:
		return "unauthorized"
	case Sealed:
		return "sealed"
	case TooMany:
		return "too many requests"
	}
	return "internal"
}

// FieldError is one field's problem. Code is an i18n message id such as
// "error.required"; Field is the name used in forms and JSON.
type FieldError struct {
	Field string `json:"field"`
	Code  string `json:"code"`
}

// Error is a domain error with a kind and a message id that is safe to show.
type Error struct {
	Kind   Kind
	Code   string       // i18n message id, e.g. "error.forbidden"
	Fields []FieldError // for Invalid
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.String())
	if e.Code != "" {
		b.WriteString(": ")
		b.WriteString(e.Code)
	}
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(":")
		}
		fmt.Fprintf(&b, " %s=%s", f.Field, f.Code)
	}
	return b.String()
}

// NotFoundError reports a missing record of the named kind ("place", "user").
func NotFoundError(what string) error {
	return &Error{Kind: NotFound, Code: "error.not_found." + what}
}

// ConflictError reports a conflicting change, with a message id.
func ConflictError(code string) error { return &Error{Kind: Conflict, Code: code} }

// ForbiddenError reports an action the caller's role does not allow.
func ForbiddenError() error { return &Error{Kind: Forbidden, Code: "error.forbidden"} }

// UnauthorizedError reports a caller that could not be identified.
func UnauthorizedError(code string) error { return &Error{Kind: Unauthorized, Code: code} }

// Fields collects field errors; its Err is nil when none were added, so a
// Validate method can report every field at once.
type Fields struct{ list []FieldError }

// Add records a problem with field.
func (f *Fields) Add(field, code string) { f.list = append(f.list, FieldError{field, code}) }

// Err returns an Invalid error with every field added, or nil.
func (f *Fields) Err() error {
	if len(f.list) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Code: "error.invalid", Fields: f.list}
}

// KindOf returns the kind of err, Internal when it carries none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err is a fault of kind k.
func Is(err error, k Kind) bool { return KindOf(err) == k }
