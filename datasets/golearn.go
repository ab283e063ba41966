package datasets

import (
	"fmt"
	"path/filepath"
)

// The public CSV data sets shipped in github.com/sjwhitworth/golearn's
// examples/datasets folder (Iris, Boston housing, Titanic, house-votes-84,
// …), fetched through the Go module proxy; nothing is copied into this
// repository.
const (
	golearnModule  = "github.com/sjwhitworth/golearn"
	golearnVersion = "v0.0.0-20221228163002-74ae077eafb2"
)

// GolearnFile returns the path of a file of golearn's examples/datasets
// folder, such as "iris_headers.csv" or "house-votes-84.csv", downloading
// the module (about 60 MB) with `go mod download` the first time. Read it
// with data.LoadCSV or data.LoadCSVClasses.
//
// Errors: wrapping ErrNotFound, naming the file, when the module can be
// neither found nor downloaded or has no such file.
func GolearnFile(name string) (string, error) {
	dir, err := moduleFolder(golearnModule, golearnVersion, "examples/datasets")
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrNotFound, name, err)
	}
	path := filepath.Join(dir, name)
	if !isFile(path) {
		return "", fmt.Errorf("%w: no %s in %s", ErrNotFound, name, dir)
	}
	return path, nil
}
