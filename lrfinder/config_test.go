package lrfinder

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/trainer"
)

func TestDefaults(t *testing.T) {
	c, err := Config{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	want := Config{MinLR: 1e-7, MaxLR: 10, Steps: 100, Smoothing: 0.98, DivergeFactor: 4}
	if c != want {
		t.Errorf("defaults %+v, want %+v", c, want)
	}
}

// TestConfigErrors: each bad field is refused with ErrConfig, naming the
// field, the value and the allowed range, before any training.
func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		rc   Config
		want string
	}{
		{Config{MinLR: -1}, "MinLR = -1, want a finite value > 0"},
		{Config{MinLR: math.NaN()}, "MinLR = NaN, want a finite value > 0"},
		{Config{MaxLR: math.Inf(1)}, "MaxLR = +Inf, want a finite value > 0"},
		{Config{MinLR: 1, MaxLR: 0.1}, "MinLR = 1, MaxLR = 0.1, want MinLR < MaxLR"},
		{Config{MinLR: 0.5, MaxLR: 0.5}, "MinLR = 0.5, MaxLR = 0.5, want MinLR < MaxLR"},
		{Config{MinLR: 20}, "MinLR = 20, MaxLR = 10, want MinLR < MaxLR"},
		{Config{Steps: 4}, "Steps = 4, want ≥ 5"},
		{Config{Steps: -1}, "Steps = -1, want ≥ 5"},
		{Config{Smoothing: -0.1}, "Smoothing = -0.1, want a value in [0, 1)"},
		{Config{Smoothing: 1}, "Smoothing = 1, want a value in [0, 1)"},
		{Config{Smoothing: math.NaN()}, "Smoothing = NaN, want a value in [0, 1)"},
		{Config{DivergeFactor: 1}, "DivergeFactor = 1, want > 1"},
		{Config{DivergeFactor: 0.5}, "DivergeFactor = 0.5, want > 1"},
		{Config{DivergeFactor: -4}, "DivergeFactor = -4, want > 1"},
	} {
		m := linear(t)
		before := bits(m)
		_, err := Run(context.Background(), m, trainer.Config{Loss: losses.MSE{}, BatchSize: 1}, nil, c.rc)
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want ErrConfig with %q", c.rc, err, c.want)
		}
		if p := sameBits(m, before); p != "" {
			t.Errorf("%+v: parameter %s changed", c.rc, p)
		}
	}
	if _, err := Run(context.Background(), nil, trainer.Config{}, nil, Config{}); !errors.Is(err, ErrConfig) {
		t.Errorf("nil model: error %v, want ErrConfig", err)
	}
	// The trainer's own checks come through with its sentinel.
	if _, err := Run(context.Background(), linear(t), trainer.Config{Loss: losses.MSE{}}, nil, Config{}); !errors.Is(err, trainer.ErrConfig) || !strings.Contains(err.Error(), "BatchSize = 0") {
		t.Errorf("BatchSize 0: error %v, want trainer.ErrConfig naming BatchSize", err)
	}
}
