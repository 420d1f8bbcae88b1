package media

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/tilsyn/tilsyn/internal/fault"
)

// photoWithEXIF is a JPEG with an APP1 Exif segment holding a GPS marker,
// as a phone camera writes it.
func photoWithEXIF(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		img.Set(x, 10, color.RGBA{200, 30, 30, 255})
	}
	var plain bytes.Buffer
	if err := jpeg.Encode(&plain, img, nil); err != nil {
		t.Fatal(err)
	}
	payload := append([]byte("Exif\x00\x00"), []byte("GPSLatitude 59.91 GPSLongitude 10.75 SerialNumber CAM-123456")...)
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	seg = append(seg, payload...)
	b := plain.Bytes()
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...) // after SOI
}

func TestCleanStripsImageMetadata(t *testing.T) {
	in := photoWithEXIF(t)
	if !bytes.Contains(in, []byte("GPSLatitude")) {
		t.Fatal("the test photo has no metadata to strip")
	}
	out, ctype, err := Clean(in)
	if err != nil || ctype != JPEG {
		t.Fatalf("Clean = %q, %v", ctype, err)
	}
	for _, secret := range []string{"Exif", "GPSLatitude", "CAM-123456"} {
		if bytes.Contains(out, []byte(secret)) {
			t.Errorf("the cleaned photo still holds %q", secret)
		}
	}
	if img, err := jpeg.Decode(bytes.NewReader(out)); err != nil || img.Bounds().Dx() != 40 {
		t.Errorf("the cleaned photo is not the picture: %v", err)
	}

	var p bytes.Buffer
	_ = png.Encode(&p, image.NewGray(image.Rect(0, 0, 5, 5)))
	text := []byte("tEXtAuthor\x00Someone")
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(text)-4))
	chunk = append(chunk, text...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(text))
	withText := append(append(append([]byte{}, p.Bytes()[:33]...), chunk...), p.Bytes()[33:]...) // after IHDR
	if !bytes.Contains(withText, []byte("Someone")) {
		t.Fatal("the test PNG has no text chunk")
	}
	out, ctype, err = Clean(withText)
	if err != nil || ctype != PNG || bytes.Contains(out, []byte("Someone")) {
		t.Errorf("PNG: %q, %v, text kept: %v", ctype, err, bytes.Contains(out, []byte("Someone")))
	}
}

func TestCleanRefusesWhatIsNotEvidence(t *testing.T) {
	for name, data := range map[string][]byte{
		"script":      []byte("<script>alert(1)</script>"),
		"executable":  []byte("MZ\x90\x00\x03\x00\x00\x00"),
		"broken jpeg": append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{1}, 100)...),
		"empty":       nil,
	} {
		if _, _, err := Clean(data); !fault.Is(err, fault.Invalid) {
			t.Errorf("%s: %v, want a field error", name, err)
		}
	}
	if _, ctype, err := Clean([]byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")); err != nil || ctype != PDF {
		t.Errorf("PDF: %q, %v", ctype, err)
	}
}
