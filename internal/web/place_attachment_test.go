package web

import (
	"bytes"
	"image"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/tilsyn/tilsyn/internal/audit"
)

// postFile sends a file to a place's attachment form.
func (f *fixture) postFile(cookie, placeID, name string, data []byte, people bool) *http.Response {
	f.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	if people {
		_ = mw.WriteField("people", "on")
	}
	_ = mw.Close()
	return f.do(request{method: "POST", path: "/places/" + placeID + "/attachments", cookie: cookie, body: buf.String(),
		header: map[string]string{"Content-Type": mw.FormDataContentType()}})
}

func TestPlaceAttachments(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		_, monitor := f.login("monitor@example.org", testPassword)
		_, viewer := f.login("viewer@example.org", testPassword)
		p := f.places["Bergen fengsel"]

		var photo bytes.Buffer
		_ = jpeg.Encode(&photo, image.NewGray(image.Rect(0, 0, 16, 16)), nil)
		exif := append([]byte{0xFF, 0xE1, 0x00, 0x2A}, []byte("Exif\x00\x00GPSLatitude 60.39 GPSLongitude 5.32 x")...)
		withGPS := append(append(append([]byte{}, photo.Bytes()[:2]...), exif...), photo.Bytes()[2:]...)

		resp := f.postFile(monitor, p.ID, `..\..\cell 4 "west".jpg`, withGPS, true)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", resp.StatusCode, readBody(t, resp))
		}
		page := readBody(t, f.do(request{method: "GET", path: "/places/" + p.ID, cookie: viewer}))
		if !strings.Contains(page, "cell 4 west.jpg") || !strings.Contains(page, "shows people") {
			t.Errorf("the place page does not list the file with its consent mark")
		}
		list, err := f.db.Attachments(t.Context(), f.org.ID, p.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("attachments %v, %v", list, err)
		}
		got := f.do(request{method: "GET", path: "/places/" + p.ID + "/attachments/" + list[0].ID, cookie: viewer})
		body := readBody(t, got)
		if got.StatusCode != 200 || got.Header.Get("Content-Type") != "image/jpeg" || !strings.HasPrefix(got.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("download: %d %v", got.StatusCode, got.Header)
		}
		if strings.Contains(body, "GPSLatitude") || strings.Contains(body, "Exif") {
			t.Error("the stored photo keeps its EXIF position")
		}
		if !f.auditHas(f.org.ID, audit.AttachmentAdded, p.ID) {
			t.Error("the upload is not audited")
		}

		// What is not a picture or a PDF is refused, and nothing is stored.
		for name, data := range map[string][]byte{"notes.html": []byte("<script>alert(1)</script>"), "tool.exe": []byte("MZ\x90\x00")} {
			resp := f.postFile(monitor, p.ID, name, data, false)
			if b := readBody(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, "Only JPEG and PNG images and PDF documents") {
				t.Errorf("%s: %d", name, resp.StatusCode)
			}
		}
		resp = f.postFile(monitor, p.ID, "big.pdf", append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 11<<20)...), false)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("an 11 MB file: %d", resp.StatusCode)
		}
		if list, _ := f.db.Attachments(t.Context(), f.org.ID, p.ID); len(list) != 1 {
			t.Errorf("%d files after refused uploads, want 1", len(list))
		}
		// A viewer cannot add; another organisation cannot read.
		if resp := f.postFile(viewer, p.ID, "a.pdf", []byte("%PDF-1.7\n"), false); resp.StatusCode != http.StatusForbidden {
			t.Errorf("viewer upload: %d", resp.StatusCode)
		}
		other := f.do(request{method: "GET", path: "/places/" + f.places["other"].ID + "/attachments/" + list[0].ID, cookie: monitor})
		if other.StatusCode != http.StatusNotFound {
			t.Errorf("file through another place: %d", other.StatusCode)
		}
	})
}
