package schedulers

import "fmt"

// RunChecker is implemented by schedules that only fit runs of some lengths
// (a warm-up must end before the run does; a one-cycle schedule must not be
// stepped past its TotalSteps). total is the run's number of epochs or steps,
// whichever the schedule is stepped by.
type RunChecker interface {
	CheckRun(total int) error
}

// CheckRun validates s and, if s is a RunChecker, checks that it fits a run
// of total epochs (or steps). Errors wrap ErrConfig. The trainer calls it
// once it knows the run's length.
func CheckRun(s Schedule, total int) error {
	if s == nil {
		return fmt.Errorf("%w: nil schedule", ErrConfig)
	}
	if total < 1 {
		return fmt.Errorf("%w: run length = %d, want ≥ 1", ErrConfig, total)
	}
	if err := s.Validate(); err != nil {
		return err
	}
	if rc, ok := s.(RunChecker); ok {
		return rc.CheckRun(total)
	}
	return nil
}
