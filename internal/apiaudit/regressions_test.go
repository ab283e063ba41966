package apiaudit

import (
	"errors"
	"testing"

	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
)

// TestFixedFindings replays, in this process, calls the audit found
// panicking or aborting ("out of memory") before they were fixed: each must
// now return an error wrapping the package's sentinel.
func TestFixedFindings(t *testing.T) {
	node := newNode()
	cases := []struct {
		name string
		call func() error
		want error
	}{
		{"MSE.PerSample(nil, nil)", func() error { _, err := losses.MSE{}.PerSample(nil, nil); return err }, losses.ErrTarget},
		{"MSE.SampleWeights(nil)", func() error { _, err := losses.MSE{}.SampleWeights(nil); return err }, losses.ErrTarget},
		{"CrossEntropy.SampleWeights(nil)", func() error { _, err := losses.CrossEntropy{}.SampleWeights(nil); return err }, losses.ErrTarget},
		{"NLL.PerSample(node, nil)", func() error { _, err := losses.NLL{}.PerSample(node, nil); return err }, losses.ErrTarget},
		{"BCEWithLogits.PerSample(nil, node)", func() error { _, err := losses.BCEWithLogits{}.PerSample(nil, node); return err }, losses.ErrTarget},
		{"New(Linear{Out: 1<<40})", func() error {
			_, err := model.New(model.Linear{Out: 1 << 40}, model.Config{Inputs: 2})
			return err
		}, model.ErrConfig},
		{"New(MLP 2^20 × 2^20 weights)", func() error {
			_, err := model.New(model.MLP{Hidden: []int{1 << 20}, Out: 1}, model.Config{Inputs: 1 << 20})
			return err
		}, model.ErrConfig},
		{"New(Linear) with Inputs 1<<62, overflowing int", func() error {
			_, err := model.New(model.Linear{Out: 4}, model.Config{Inputs: 1 << 62})
			return err
		}, model.ErrConfig},
		{"Scope.Feed(shape [1<<40])", func() error {
			_, err := newScope().Feed("mask", []int{1 << 40}, nil)
			return err
		}, model.ErrConfig},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("panicked: %v", p)
					}
				}()
				err = c.call()
			}()
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want an error wrapping %v", err, c.want)
			}
		})
	}
}
