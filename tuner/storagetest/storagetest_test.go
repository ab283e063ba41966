package storagetest_test

import (
	"testing"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/storagetest"
)

// TestMemory runs the suite on tuner's memory storage, the reference the
// other backends are held to.
func TestMemory(t *testing.T) {
	storagetest.Run(t, func(*testing.T) tuner.Storage { return tuner.NewMemoryStorage() })
}
