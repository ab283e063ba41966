package data

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"gorgonia.org/tensor"
)

// MNISTConfig says where LoadMNIST finds the files and what it builds. Dir
// must be set; package datasets fetches the files when you have none
// (datasets.MNIST reads the same config, with "" meaning its download).
type MNISTConfig struct {
	// Dir is the folder holding train-images-idx3-ubyte, train-labels-idx1-ubyte,
	// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each plain or gzipped
	// with a ".gz" suffix.
	Dir string
	// Dtype of X and Y: tensor.Float32 or tensor.Float64; the zero value
	// means tensor.Float32.
	Dtype tensor.Dtype
	// MaxBytes caps the pixels or labels of each file, in bytes after
	// decompression, as IDXLimits.MaxBytes; 0 means DefaultIDXMaxBytes
	// (128 MiB; MNIST's largest file holds 47 MB).
	MaxBytes int64
}

// LoadMNIST loads the MNIST training set (60000 images) and test set (10000
// images). X holds one image per row, (n, rows*cols) = (n, 784), with pixels
// scaled to [0, 1] by dividing by 255; Y (n, 1) holds the digit labels 0-9.
//
// Errors: an empty Dir, or a missing file, wraps fs.ErrNotExist and names
// the file and the folder looked in; malformed files wrap
// ErrFormat and name the file; a file over MaxBytes wraps ErrLimit; image and label counts that differ, or train
// and test images of different sizes, wrap ErrShape; an unsupported Dtype
// wraps ErrDtype.
func LoadMNIST(cfg MNISTConfig) (train, test *Dataset, err error) {
	dt, err := dtypeOr(cfg.Dtype, tensor.Float32)
	if err != nil {
		return nil, nil, err
	}
	dir := cfg.Dir
	if dir == "" {
		return nil, nil, fmt.Errorf("data: MNISTConfig.Dir is empty, want the folder holding the MNIST IDX files (datasets.MNIST fetches them): %w", fs.ErrNotExist)
	}
	limits := IDXLimits{MaxBytes: cfg.MaxBytes}
	if _, err := limits.maxBytes(); err != nil {
		return nil, nil, fmt.Errorf("%w (MNISTConfig.MaxBytes)", err)
	}
	if train, err = loadMNISTSet(dir, "train", dt, limits); err != nil {
		return nil, nil, err
	}
	if test, err = loadMNISTSet(dir, "t10k", dt, limits); err != nil {
		return nil, nil, err
	}
	if train.Features() != test.Features() {
		return nil, nil, fmt.Errorf("%w: MNIST in %s: train images have %d pixels, test images %d",
			ErrShape, dir, train.Features(), test.Features())
	}
	return train, test, nil
}

// loadMNISTSet reads prefix-images-idx3-ubyte[.gz] and
// prefix-labels-idx1-ubyte[.gz] from dir.
func loadMNISTSet(dir, prefix string, dt tensor.Dtype, limits IDXLimits) (*Dataset, error) {
	imagesPath, err := findMNISTFile(dir, prefix+"-images-idx3-ubyte")
	if err != nil {
		return nil, err
	}
	labelsPath, err := findMNISTFile(dir, prefix+"-labels-idx1-ubyte")
	if err != nil {
		return nil, err
	}
	var pixels []byte
	var n, rows, cols int
	err = readFile(imagesPath, func(f *os.File) (err error) {
		pixels, n, rows, cols, err = limits.ReadImages(f)
		return err
	})
	if err != nil {
		return nil, err
	}
	var labels []byte
	err = readFile(labelsPath, func(f *os.File) (err error) {
		labels, err = limits.ReadLabels(f)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(labels) != n {
		return nil, fmt.Errorf("%w: %s holds %d images but %s holds %d labels",
			ErrShape, imagesPath, n, labelsPath, len(labels))
	}
	var x, y *tensor.Dense
	if dt == tensor.Float32 {
		x, y = mnistTensors[float32](pixels, labels, n, rows*cols)
	} else {
		x, y = mnistTensors[float64](pixels, labels, n, rows*cols)
	}
	d, err := New(x, y)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", imagesPath, err)
	}
	return d, nil
}

// mnistTensors scales pixels to [0, 1] in X (n, size) and puts the labels in
// Y (n, 1).
func mnistTensors[T float32 | float64](pixels, labels []byte, n, size int) (x, y *tensor.Dense) {
	xs := make([]T, len(pixels))
	for i, p := range pixels {
		xs[i] = T(p) / 255
	}
	ys := make([]T, len(labels))
	for i, l := range labels {
		ys[i] = T(l)
	}
	return tensor.New(tensor.WithShape(n, size), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(ys))
}

// findMNISTFile returns dir/name if it exists, else dir/name.gz if that
// exists, else an error wrapping fs.ErrNotExist that names both.
func findMNISTFile(dir, name string) (string, error) {
	for _, p := range []string{filepath.Join(dir, name), filepath.Join(dir, name+".gz")} {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", fmt.Errorf("data: MNIST file %s[.gz] not found in %s: %w", name, dir, fs.ErrNotExist)
}

// readFile opens path and calls read with it; read's errors are prefixed
// with path, an open failure wraps the *fs.PathError.
func readFile(path string, read func(*os.File) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	if err := read(f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
