package tuner

import (
	"bytes"
	"errors"
	"math"
	"testing"
	"time"
)

// resultsTrials is a crafted study: a complete trial, one with a
// conditional parameter, a failed one (reason with a comma and a quote, to
// be quoted), a pruned one, a running one, and an Inf value.
func resultsTrials() []FrozenTrial {
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	lr := FloatDist{Low: 1e-4, High: 1e-1, Log: true}
	units := IntDist{Low: 16, High: 128, Step: 16}
	act := CategoricalDist{Choices: []any{"relu", "tanh"}}
	mom := FloatDist{Low: 0, High: 1}
	return []FrozenTrial{
		{Number: 0, State: Complete, Value: 0.25,
			Params:        map[string]any{"lr": 0.001, "units": 64, "act": "tanh"},
			Distributions: map[string]Distribution{"lr": lr, "units": units, "act": act},
			Attrs:         map[string]string{"cv_std": "0.01"},
			Start:         t0, Complete: t0.Add(1500 * time.Millisecond)},
		{Number: 1, State: Complete, Value: -3e-7,
			Params:        map[string]any{"lr": 0.01, "units": 16, "act": "relu", "momentum": 0.9},
			Distributions: map[string]Distribution{"lr": lr, "units": units, "act": act, "momentum": mom},
			Start:         t0, Complete: t0.Add(2 * time.Minute)},
		{Number: 2, State: Failed, Value: math.NaN(),
			Params:     map[string]any{"lr": 0.1},
			FailReason: `objective: bad "batch", too large`,
			Attrs:      map[string]string{"grid_id": "7"},
			Start:      t0, Complete: t0.Add(250 * time.Millisecond)},
		{Number: 3, State: Pruned, Value: 1.5,
			Params: map[string]any{"lr": 0.0001, "units": 128, "act": "relu"},
			Start:  t0, Complete: t0.Add(10 * time.Second)},
		{Number: 4, State: Running, Value: math.NaN(),
			Params: map[string]any{"lr": 0.02},
			Start:  t0},
		{Number: 5, State: Complete, Value: math.Inf(1),
			Params: map[string]any{"lr": 0.05, "units": 32, "act": "tanh"},
			Start:  t0, Complete: t0.Add(time.Second)},
	}
}

func TestWriteTrialsCSV(t *testing.T) {
	cases := []struct {
		name   string
		trials []FrozenTrial
		want   string
	}{
		{"no trials", nil, "number,state,value,duration_seconds,fail_reason\n"},
		{"crafted", resultsTrials(), "" +
			"number,state,value,duration_seconds,param_act,param_lr,param_momentum,param_units,fail_reason,attr_cv_std,attr_grid_id\n" +
			"0,complete,0.25,1.5,tanh,0.001,,64,,0.01,\n" +
			"1,complete,-3e-07,120,relu,0.01,0.9,16,,,\n" +
			"2,failed,,0.25,,0.1,,,\"objective: bad \"\"batch\"\", too large\",,7\n" +
			"3,pruned,1.5,10,relu,0.0001,,128,,,\n" +
			"4,running,,,,0.02,,,,,\n" +
			"5,complete,+Inf,1,tanh,0.05,,32,,,\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteTrialsCSV(&b, c.trials); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != c.want {
				t.Errorf("CSV:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

func TestWriteTrialsJSON(t *testing.T) {
	cases := []struct {
		name   string
		trials []FrozenTrial
		want   string
	}{
		{"no trials", nil, "[]\n"},
		{"crafted", resultsTrials()[1:5], `[
  {
    "number": 1,
    "state": "complete",
    "value": -3e-7,
    "duration_seconds": 120,
    "params": {
      "act": "relu",
      "lr": 0.01,
      "momentum": 0.9,
      "units": 16
    }
  },
  {
    "number": 2,
    "state": "failed",
    "value": null,
    "duration_seconds": 0.25,
    "params": {
      "lr": 0.1
    },
    "fail_reason": "objective: bad \"batch\", too large",
    "attrs": {
      "grid_id": "7"
    }
  },
  {
    "number": 3,
    "state": "pruned",
    "value": 1.5,
    "duration_seconds": 10,
    "params": {
      "act": "relu",
      "lr": 0.0001,
      "units": 128
    }
  },
  {
    "number": 4,
    "state": "running",
    "value": null,
    "duration_seconds": null,
    "params": {
      "lr": 0.02
    }
  }
]
`},
		{"Inf value is null", resultsTrials()[5:], `[
  {
    "number": 5,
    "state": "complete",
    "value": null,
    "duration_seconds": 1,
    "params": {
      "act": "tanh",
      "lr": 0.05,
      "units": 32
    }
  }
]
`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteTrialsJSON(&b, c.trials); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != c.want {
				t.Errorf("JSON:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

// resultsFailWriter fails every write.
type resultsFailWriter struct{}

var errResultsWrite = errors.New("disk full")

func (resultsFailWriter) Write([]byte) (int, error) { return 0, errResultsWrite }

func TestWriteTrialsErrors(t *testing.T) {
	nanParam := []FrozenTrial{{Number: 9, State: Complete, Value: 1, Params: map[string]any{"x": math.NaN()}}}
	cases := []struct {
		name  string
		write func() error
		want  error
	}{
		{"CSV writer fails", func() error { return WriteTrialsCSV(resultsFailWriter{}, resultsTrials()) }, errResultsWrite},
		{"JSON writer fails", func() error { return WriteTrialsJSON(resultsFailWriter{}, resultsTrials()) }, errResultsWrite},
		{"JSON NaN parameter", func() error { return WriteTrialsJSON(&bytes.Buffer{}, nanParam) }, ErrConfig},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.write(); !errors.Is(err, c.want) {
				t.Errorf("error %v, want %v", err, c.want)
			}
		})
	}
}
