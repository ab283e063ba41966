package data

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

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

// data reads only folders it is given: an empty Dir is an error naming the
// field, never a download.
func TestLoadMNISTNeedsDir(t *testing.T) {
	_, _, err := LoadMNIST(MNISTConfig{})
	wantErr(t, err, fs.ErrNotExist, "MNISTConfig.Dir", "datasets.MNIST")
}
