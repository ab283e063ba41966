package tunertrainer

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gradtune/gradtune/tuner"
)

// StatePaths returns where trial t keeps its training state in dir —
// dir/trial-0007.state for trial 7, the path to give
// trainer.SaveOnInterrupt — and, when t re-runs an interrupted trial
// (Trial.RequeuedFrom, with tuner.Config.RequeueStale) that left a state
// file in dir, that file's path, to give Trainer.LoadStateFile before Fit;
// resume is "" otherwise. The trial then continues from its checkpoint and
// ends as the uninterrupted trial would, bit for bit, if the objective
// builds its Trainer as before (same parameters, data and seed). Processes
// sharing a study must share dir. A nil t gives "" for both.
func StatePaths(t *tuner.Trial, dir string) (save, resume string) {
	if t == nil {
		return "", ""
	}
	save = statePath(dir, t.Number())
	if from, ok := t.RequeuedFrom(); ok {
		if p := statePath(dir, from); fileExists(p) {
			resume = p
		}
	}
	return save, resume
}

func statePath(dir string, trial int) string {
	return filepath.Join(dir, fmt.Sprintf("trial-%04d.state", trial))
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
