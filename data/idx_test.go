package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"testing"
)

// idxBytes returns an IDX file: magic, the big-endian sizes, then body.
func idxBytes(magic uint32, sizes []uint32, body []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, magic)
	binary.Write(&b, binary.BigEndian, sizes)
	b.Write(body)
	return b.Bytes()
}

func gzipBytes(t testing.TB, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Two 2×3 images with distinct pixels, and their labels.
var (
	tinyPixels = []byte{0, 1, 2, 3, 4, 255, 10, 20, 30, 40, 50, 60}
	tinyImages = idxBytes(0x803, []uint32{2, 2, 3}, tinyPixels)
	tinyLabels = idxBytes(0x801, []uint32{2}, []byte{7, 3})
)

func TestReadIDXImages(t *testing.T) {
	tests := []struct {
		name string
		raw  []byte
	}{
		{"plain", tinyImages},
		{"gzip", gzipBytes(t, tinyImages)},
		{"trailing bytes ignored", append(bytes.Clone(tinyImages), 9, 9)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pixels, n, rows, cols, err := ReadIDXImages(bytes.NewReader(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			if n != 2 || rows != 2 || cols != 3 {
				t.Errorf("n, rows, cols = %d, %d, %d; want 2, 2, 3", n, rows, cols)
			}
			if !bytes.Equal(pixels, tinyPixels) {
				t.Errorf("pixels = %v, want %v", pixels, tinyPixels)
			}
		})
	}
}

func TestReadIDXLabels(t *testing.T) {
	for name, raw := range map[string][]byte{"plain": tinyLabels, "gzip": gzipBytes(t, tinyLabels)} {
		labels, err := ReadIDXLabels(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := []byte{7, 3}; !reflect.DeepEqual(labels, want) {
			t.Errorf("%s: labels = %v, want %v", name, labels, want)
		}
	}
	// Zero labels is a valid, empty file.
	labels, err := ReadIDXLabels(bytes.NewReader(idxBytes(0x801, []uint32{0}, nil)))
	if err != nil || len(labels) != 0 {
		t.Errorf("empty labels file: %v, %v; want no labels and no error", labels, err)
	}
}

func TestReadIDXErrors(t *testing.T) {
	gzImages := gzipBytes(t, tinyImages)
	badCRC := bytes.Clone(gzImages)
	badCRC[len(badCRC)-8] ^= 0xff // the CRC-32 of the gzip trailer
	tests := []struct {
		name   string
		raw    []byte
		labels bool // read with ReadIDXLabels instead of ReadIDXImages
		eof    bool // also wraps io.ErrUnexpectedEOF
		parts  []string
	}{
		{"labels as images", tinyLabels, false, false, []string{"images: magic number 0x00000801, want 0x00000803"}},
		{"images as labels", tinyImages, true, false, []string{"labels: magic number 0x00000803, want 0x00000801"}},
		{"empty", nil, false, true, []string{"images header truncated: expected 16 bytes, got 0"}},
		{"short header", tinyImages[:7], false, true, []string{"images header truncated: expected 16 bytes, got 7"}},
		{"short labels header", tinyLabels[:5], true, true, []string{"labels header truncated: expected 8 bytes, got 5"}},
		{"short pixels", tinyImages[:len(tinyImages)-3], false, true, []string{"images truncated: expected 12 bytes, got 9"}},
		{"short labels", tinyLabels[:len(tinyLabels)-1], true, true, []string{"labels truncated: expected 2 bytes, got 1"}},
		{"huge claimed size", idxBytes(0x803, []uint32{60000, 28, 28}, []byte{1, 2, 3}), false, true,
			[]string{"expected 47040000 bytes, got 3"}},
		{"short gzip", gzImages[:len(gzImages)-12], false, true, []string{"truncated"}},
		{"gzip checksum", badCRC, false, false, []string{"gzip", "checksum"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.labels {
				_, err = ReadIDXLabels(bytes.NewReader(tt.raw))
			} else {
				_, _, _, _, err = ReadIDXImages(bytes.NewReader(tt.raw))
			}
			wantErr(t, err, ErrFormat, tt.parts...)
			if got := errors.Is(err, io.ErrUnexpectedEOF); got != tt.eof {
				t.Errorf("errors.Is(err, io.ErrUnexpectedEOF) = %v, want %v", got, tt.eof)
			}
		})
	}
}

// failingReader returns its error after the bytes it holds.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestReadIDXReaderError(t *testing.T) {
	boom := errors.New("boom")
	_, _, _, _, err := ReadIDXImages(&failingReader{data: tinyImages[:20], err: boom})
	if !errors.Is(err, boom) || errors.Is(err, ErrFormat) {
		t.Errorf("error %v, want one wrapping the reader's error and not ErrFormat", err)
	}
}
