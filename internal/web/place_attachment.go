package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/tilsyn/tilsyn/internal/audit"
	"github.com/tilsyn/tilsyn/internal/fault"
	"github.com/tilsyn/tilsyn/internal/media"
	"github.com/tilsyn/tilsyn/internal/place"
)

// attachmentAdd stores a photograph or document with a place. The upload is
// cut at place.MaxAttachment before it is read whole; images are stripped of
// their metadata (media.Clean) before anything is stored.
func (s *Server) attachmentAdd(w http.ResponseWriter, r *http.Request) error {
	st := reqState(r)
	p, err := s.orgPlace(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, place.MaxAttachment+1<<20)
	fail := func(code string) error {
		form := populationForm{Errors: formErrors{{Field: "attachment-file", Code: code, Label: st.loc.T("attachment.file"),
			Message: st.loc.T(code), ID: "attachment-file-error"}}}
		status := http.StatusUnprocessableEntity
		if code == "error.media.too_large" {
			status = http.StatusRequestEntityTooLarge
		}
		return s.renderPlaceWith(w, r, status, populationForm{}, form.Errors)
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fail("error.media.too_large")
		}
		return fail("error.required")
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, place.MaxAttachment+1))
	if err != nil {
		return fail("error.media.too_large")
	}
	if len(data) > place.MaxAttachment {
		return fail("error.media.too_large")
	}
	clean, ctype, err := media.Clean(data)
	if fe, ok := fault.As(err); ok && len(fe.Fields) > 0 {
		return fail(fe.Fields[0].Code)
	} else if err != nil {
		return err
	}
	a, err := s.Places.AddAttachment(r.Context(), p.OrgID, place.Attachment{PlaceID: p.ID, Name: place.CleanName(header.Filename),
		ContentType: ctype, PeopleVisible: r.FormValue("people") == "on", CreatedBy: st.member.User.ID, Data: clean}, s.Now())
	if err != nil {
		return err
	}
	if err := s.audit(r, audit.AttachmentAdded, "place", p.ID, fmt.Sprintf("%s, %d bytes", ctype, a.Size)); err != nil {
		return err
	}
	http.Redirect(w, r, "/places/"+p.ID+"?saved=1#attachments", http.StatusSeeOther)
	return nil
}

// attachmentGet sends a file of a place as a download, never to be run or
// shown inline by the browser.
func (s *Server) attachmentGet(w http.ResponseWriter, r *http.Request) error {
	p, err := s.orgPlace(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	a, err := s.Places.Attachment(r.Context(), p.OrgID, p.ID, r.PathValue("file"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	_, _ = w.Write(a.Data)
	return nil
}
