package studyfile

import (
	"errors"
	"fmt"
)

// The most rows one read takes from a study file: a file we did not write
// may hold any number, and every row read is kept in memory. Far above a
// real study (Optuna's own dashboards slow down past 10^4 trials).
const (
	MaxTrials         = 1 << 20 // trials of one study
	MaxParamsPerTrial = 1 << 14 // parameters of one trial
	MaxAttrsPerTrial  = 1 << 14 // attributes of one trial (user and system together)
	MaxStepsPerTrial  = 1 << 20 // intermediate values of one trial
	MaxRowsSmall      = 1 << 10 // the rows of a query that reads a handful (a study's objectives, table names)
)

// ErrTooMany: a read met more rows than its limit.
var ErrTooMany = errors.New("studyfile: more rows than a study holds")

// Counter counts the rows of one read against its limits.
type Counter struct {
	what     string // "parameters", for messages
	total    int    // most rows in all; 0: no limit
	perTrial int    // most rows of one trial; 0: no limit
	n        int
	byTrial  map[int64]int
}

// NewCounter counts what against total rows in all and perTrial rows of
// one trial (0: no such limit).
func NewCounter(what string, total, perTrial int) *Counter {
	return &Counter{what: what, total: total, perTrial: perTrial, byTrial: map[int64]int{}}
}

// Row counts one row of trialID, and fails with ErrTooMany past a limit.
func (c *Counter) Row(trialID int64) error {
	c.n++
	if c.total > 0 && c.n > c.total {
		return fmt.Errorf("%w: more than %d %s in one read; a file holding that many is damaged or not a study", ErrTooMany, c.total, c.what)
	}
	if c.perTrial > 0 {
		c.byTrial[trialID]++
		if c.byTrial[trialID] > c.perTrial {
			return fmt.Errorf("%w: more than %d %s for trial id %d; a file holding that many is damaged or not a study",
				ErrTooMany, c.perTrial, c.what, trialID)
		}
	}
	return nil
}
