// Package media cleans files people upload as evidence — photographs of
// injuries or of premises, scans of registers — before they are stored:
// only images and PDF documents are accepted, and images are decoded and
// encoded again, which drops every metadata block (EXIF with its camera
// serial number, time and GPS position; PNG text chunks).
package media

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"

	"github.com/tilsyn/tilsyn/internal/fault"
)

// Kinds of file accepted.
const (
	JPEG = "image/jpeg"
	PNG  = "image/png"
	PDF  = "application/pdf"
)

// MaxPixels bounds an image's size, so a small file that claims enormous
// dimensions cannot exhaust memory when decoded.
const MaxPixels = 50_000_000

// Clean checks what data is (by its content, not its name) and returns it
// without metadata, with its content type. Anything but a JPEG, PNG or PDF
// is refused with a field error on "file".
func Clean(data []byte) ([]byte, string, error) {
	refuse := func(code string) ([]byte, string, error) {
		var f fault.Fields
		f.Add("file", code)
		return nil, "", f.Err()
	}
	switch ctype := http.DetectContentType(data); ctype {
	case JPEG, PNG:
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return refuse("error.media.broken_image")
		}
		if cfg.Width*cfg.Height > MaxPixels {
			return refuse("error.media.too_many_pixels")
		}
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return refuse("error.media.broken_image")
		}
		var out bytes.Buffer
		if ctype == JPEG {
			err = jpeg.Encode(&out, img, &jpeg.Options{Quality: 92})
		} else {
			err = png.Encode(&out, img)
		}
		if err != nil {
			return nil, "", err
		}
		return out.Bytes(), ctype, nil
	case PDF:
		if !bytes.HasPrefix(data, []byte("%PDF-")) {
			return refuse("error.media.not_accepted")
		}
		return data, PDF, nil
	default:
		return refuse("error.media.not_accepted")
	}
}
