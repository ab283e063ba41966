package sqlite_test

import (
	"testing"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/storagetest"
)

// TestConformance runs the tuner.Storage conformance suite, each behaviour
// on a fresh database file.
func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) tuner.Storage { return openAt(t, tempPath(t)) })
}
