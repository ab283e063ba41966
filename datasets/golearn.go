package datasets

import "fmt"

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
// with data.LoadCSV or data.LoadCSVClasses. name is a slash-separated path
// inside that folder: one leaving it ("../x", "/etc/x", or through a
// symbolic link pointing outside) is refused.
//
// Errors: wrapping ErrNotFound, naming the file, when the module can be
// neither found nor downloaded, has no such file, or name leaves the folder.
func GolearnFile(name string) (string, error) {
	dir, err := moduleFolder(golearnModule, golearnVersion, "examples/datasets")
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrNotFound, name, err)
	}
	return fileInside(dir, name)
}
