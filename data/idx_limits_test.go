package data

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// allocated returns the bytes f allocates on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// hiddenLen hides the Len method of a *bytes.Reader, as a network stream or
// a pipe would: the reader cannot know how many bytes will come.
type hiddenLen struct{ r io.Reader }

func (h hiddenLen) Read(p []byte) (int, error) { return h.r.Read(p) }

// A 16-byte header claiming MNIST's 47 MB of pixels, followed by 3 bytes,
// used to reserve 64 MiB before reading any pixel.
func TestReadIDXHeaderReservesNothing(t *testing.T) {
	raw := idxBytes(0x803, []uint32{60000, 28, 28}, []byte{1, 2, 3})
	for name, r := range map[string]func() io.Reader{
		"length known":   func() io.Reader { return bytes.NewReader(raw) },
		"length unknown": func() io.Reader { return hiddenLen{bytes.NewReader(raw)} },
		"gzip":           func() io.Reader { return bytes.NewReader(gzipBytes(t, raw)) },
	} {
		var err error
		in := r()
		got := allocated(func() { _, _, _, _, err = ReadIDXImages(in) })
		wantErr(t, err, ErrFormat, "expected 47040000 bytes, got 3")
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s: %v, want it to wrap io.ErrUnexpectedEOF", name, err)
		}
		if got > 1<<20 {
			t.Errorf("%s: reading a 19-byte file allocated %d bytes, want under 1 MiB", name, got)
		}
	}
}

// Sizes over the cap, 2^31 labels among them, are refused before reading.
func TestReadIDXOverCap(t *testing.T) {
	labels := idxBytes(0x801, []uint32{1 << 31}, nil)
	var err error
	got := allocated(func() { _, err = ReadIDXLabels(hiddenLen{bytes.NewReader(labels)}) })
	wantErr(t, err, ErrLimit, "2147483648 label bytes", "cap of 134217728")
	if got > 1<<20 {
		t.Errorf("refusing 2^31 labels allocated %d bytes, want under 1 MiB", got)
	}
	images := idxBytes(0x803, []uint32{1 << 16, 1 << 8, 1 << 8}, nil)
	_, _, _, _, err = ReadIDXImages(bytes.NewReader(images))
	wantErr(t, err, ErrLimit, "65536 × 256 × 256 = 4294967296 pixel bytes")

	// A smaller cap, chosen by the caller.
	_, _, _, _, err = IDXLimits{MaxBytes: 11}.ReadImages(bytes.NewReader(tinyImages))
	wantErr(t, err, ErrLimit, "12 pixel bytes, over the cap of 11")
	if _, _, _, _, err := (IDXLimits{MaxBytes: 12}).ReadImages(bytes.NewReader(tinyImages)); err != nil {
		t.Errorf("12 pixels under a cap of 12: %v", err)
	}
	_, err = IDXLimits{MaxBytes: -1}.ReadLabels(bytes.NewReader(tinyLabels))
	wantErr(t, err, ErrLimit, "MaxBytes is -1")
}

// zerosIDX returns a gzipped IDX images file of 28×28 images whose header
// claims n images and whose body holds only zeros bytes of zeros: a zip
// bomb of a few KiB.
func zerosIDX(t *testing.T, n uint32, zeros int) []byte {
	t.Helper()
	return gzipBytes(t, idxBytes(0x803, []uint32{n, 28, 28}, make([]byte, zeros)))
}

// Gzipped files of zeros claiming huge sizes: under 300 KiB of them took
// LoadMNIST to 1.9 GB. Now a size over the cap is refused before
// decompressing, one under it costs what has arrived, and a stream hiding
// megabytes after the data is cut at the cap.
func TestLoadMNISTZipBomb(t *testing.T) {
	dir := writeTinyMNIST(t)
	bomb := filepath.Join(dir, "train-images-idx3-ubyte.gz")
	if err := os.Remove(filepath.Join(dir, "train-images-idx3-ubyte")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		raw      []byte
		maxBytes int64
		want     error
		parts    []string
		maxAlloc uint64
	}{
		{"over the cap", zerosIDX(t, 1<<22, 4<<20), 0, ErrLimit,
			[]string{bomb, "4194304 × 28 × 28"}, 1 << 20},
		{"under the cap, truncated", zerosIDX(t, 130000, 4<<20), 0, ErrFormat,
			[]string{bomb, "expected 101920000 bytes, got 4194304"}, 24 << 20},
		{"zeros after the data", gzipBytes(t, append(bytes.Clone(tinyImages), make([]byte, 8<<20)...)), 1 << 20, ErrLimit,
			[]string{bomb, "more than 1048576 bytes after the data"}, 1 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.raw) > 300<<10 {
				t.Fatalf("the crafted file has %d bytes, want under 300 KiB", len(tt.raw))
			}
			if err := os.WriteFile(bomb, tt.raw, 0o644); err != nil {
				t.Fatal(err)
			}
			var err error
			got := allocated(func() { _, _, err = LoadMNIST(MNISTConfig{Dir: dir, MaxBytes: tt.maxBytes}) })
			wantErr(t, err, tt.want, tt.parts...)
			if got > tt.maxAlloc {
				t.Errorf("LoadMNIST of a %d-byte file allocated %d bytes, want at most %d", len(tt.raw), got, tt.maxAlloc)
			}
		})
	}
}

func TestLoadMNISTNegativeMaxBytes(t *testing.T) {
	_, _, err := LoadMNIST(MNISTConfig{Dir: writeTinyMNIST(t), MaxBytes: -5})
	wantErr(t, err, ErrLimit, "MaxBytes is -5", "MNISTConfig.MaxBytes")
}
