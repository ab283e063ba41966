package data

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

// A nil io.Reader panicked in every reader of outside data; it is an error
// wrapping the reader's sentinel now.
func TestNilReaderIsAnError(t *testing.T) {
	calls := map[string]struct {
		call func() error
		want error
	}{
		"ReadIDXImages": {func() error { _, _, _, _, err := ReadIDXImages(nil); return err }, ErrFormat},
		"ReadIDXLabels": {func() error { _, err := ReadIDXLabels(nil); return err }, ErrFormat},
		"IDXLimits.ReadImages": {func() error {
			_, _, _, _, err := IDXLimits{MaxBytes: 10}.ReadImages(nil)
			return err
		}, ErrFormat},
		"IDXLimits.ReadLabels": {func() error { _, err := IDXLimits{MaxBytes: 10}.ReadLabels(nil); return err }, ErrFormat},
		"LoadCSV":              {func() error { _, err := LoadCSV(nil, CSVConfig{}); return err }, ErrParse},
		"LoadCSVClasses":       {func() error { _, _, err := LoadCSVClasses(nil, CSVConfig{}); return err }, ErrParse},
	}
	for name, c := range calls {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("panicked: %v", p)
				}
			}()
			if err := c.call(); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want an error wrapping %v", err, c.want)
			}
		})
	}
}

// Shuffle with a nil source panicked on two or more elements; it is the
// zero seed now.
func TestShuffleNilSourceIsZeroSeed(t *testing.T) {
	got, want := []int{0, 1, 2, 3, 4, 5}, []int{0, 1, 2, 3, 4, 5}
	Shuffle(got, nil)
	Shuffle(want, rand.NewPCG(0, 0))
	if !slices.Equal(got, want) {
		t.Errorf("Shuffle(nil source) = %v, want the zero seed's %v", got, want)
	}
}
