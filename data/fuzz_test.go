package data

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// fuzzLimits keeps the fuzzer's allocations small: 1 MiB per file.
var fuzzLimits = IDXLimits{MaxBytes: 1 << 20}

// Whatever the bytes, the IDX readers return pixels matching the sizes they
// report, or an error wrapping ErrFormat or ErrLimit; never a panic.
func FuzzReadIDX(f *testing.F) {
	f.Add(tinyImages)
	f.Add(tinyLabels)
	f.Add(gzipBytes(f, tinyImages))
	f.Add(gzipBytes(f, tinyLabels))
	f.Add(idxBytes(0x803, []uint32{60000, 28, 28}, []byte{1, 2, 3}))
	f.Add(idxBytes(0x801, []uint32{1 << 31}, nil))
	f.Add(gzipBytes(f, idxBytes(0x803, []uint32{1 << 22, 28, 28}, make([]byte, 4096))))
	f.Fuzz(func(t *testing.T, raw []byte) {
		pixels, n, rows, cols, err := fuzzLimits.ReadImages(bytes.NewReader(raw))
		if err == nil && len(pixels) != n*rows*cols {
			t.Fatalf("%d pixels for %d × %d × %d", len(pixels), n, rows, cols)
		}
		if err != nil && !errors.Is(err, ErrFormat) && !errors.Is(err, ErrLimit) {
			t.Fatalf("images: %v, want ErrFormat or ErrLimit", err)
		}
		// A reader that cannot tell its length takes the growing path.
		labels, err := fuzzLimits.ReadLabels(hiddenLen{bytes.NewReader(raw)})
		if err == nil && len(raw) >= 8 && raw[0] != 0x1f && len(labels) > len(raw)-8 {
			t.Fatalf("%d labels from %d bytes", len(labels), len(raw))
		}
		if err != nil && !errors.Is(err, ErrFormat) && !errors.Is(err, ErrLimit) {
			t.Fatalf("labels: %v, want ErrFormat or ErrLimit", err)
		}
	})
}

// Whatever the text, LoadCSV and LoadCSVClasses return a dataset whose
// shapes agree, or an error wrapping one of the package's sentinels.
func FuzzLoadCSV(f *testing.F) {
	f.Add("1,2,3\n4,5,6\n", false, int8(-1))
	f.Add("a,b,y\n1,2,x\n3,4,y\n", true, int8(-1))
	f.Add("\xef\xbb\xbf1;2\n3;4\n", false, int8(0))
	f.Add("\"1\",\" 2 \"\n\n3,4\n", false, int8(1))
	f.Add("1,NaN\n", false, int8(-1))
	f.Add("1,2\n3\n", false, int8(5))
	f.Fuzz(func(t *testing.T, text string, header bool, target int8) {
		cfg := CSVConfig{Header: header, TargetColumns: []int{int(target)}, MaxRows: 1000, MaxColumns: 100}
		if strings.Count(text, ";") > strings.Count(text, ",") {
			cfg.Comma = ';'
		}
		for _, named := range []bool{false, true} {
			ds, _, err := loadCSV(strings.NewReader(text), cfg, named)
			if err != nil {
				if !isDataError(err) {
					t.Fatalf("named=%v: %v, want one of the package's sentinels", named, err)
				}
				continue
			}
			if ds.Len() < 1 || ds.Features() < 1 || ds.Targets() != 1 || ds.Len() > cfg.MaxRows {
				t.Fatalf("named=%v: %d rows, %d features, %d targets", named, ds.Len(), ds.Features(), ds.Targets())
			}
			if x, y := ds.X.Data().([]float64), ds.Y.Data().([]float64); len(x) != ds.Len()*ds.Features() || len(y) != ds.Len() {
				t.Fatalf("named=%v: %d values in X, %d in Y for %d rows of %d features", named, len(x), len(y), ds.Len(), ds.Features())
			}
		}
	})
}

func isDataError(err error) bool {
	for _, s := range []error{ErrEmpty, ErrShape, ErrNonFinite, ErrDtype, ErrParse, ErrLimit} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}
