package tuner

import (
	"fmt"
	"slices"

	"github.com/gradtune/gradtune/goal"
)

// resolveDirections returns the study's directions, one per objective,
// from Config.Direction and Config.Directions (see Config); errors wrap
// ErrConfig.
func resolveDirections(cfg Config) ([]Direction, error) {
	if len(cfg.Directions) == 0 {
		dir := cfg.Direction
		if dir == goal.Auto {
			dir = Minimize
		}
		if !dir.Resolved() {
			return nil, fmt.Errorf("%w: Direction = %v, want Minimize or Maximize", ErrConfig, cfg.Direction)
		}
		return []Direction{dir}, nil
	}
	if cfg.Direction != goal.Auto && (len(cfg.Directions) != 1 || cfg.Directions[0] != cfg.Direction) {
		return nil, fmt.Errorf("%w: Direction = %v and Directions = %v: set Directions alone for several objectives, or Direction for one",
			ErrConfig, cfg.Direction, cfg.Directions)
	}
	if err := checkDirections(cfg.Directions); err != nil {
		return nil, fmt.Errorf("%w: Directions: %w", ErrConfig, err)
	}
	return slices.Clone(cfg.Directions), nil
}

// checkDirections refuses an empty list and a direction other than
// Minimize or Maximize (goal.Auto too: in a list, each objective's way is
// said).
func checkDirections(dirs []Direction) error {
	if len(dirs) == 0 {
		return fmt.Errorf("no direction, want one per objective")
	}
	for i, d := range dirs {
		if !d.Resolved() {
			return fmt.Errorf("objective %d has direction %v, want Minimize or Maximize", i, d)
		}
	}
	return nil
}

// CheckDirections says whether a storage may open the study called name
// with want, one direction per objective, when it is stored with stored
// (nil: the study is new). It refuses want if it is empty or holds a
// direction other than Minimize or Maximize, and a stored study whose
// directions differ in number or way, naming both. Errors wrap ErrConfig;
// storages call it before they write anything.
func CheckDirections(name string, stored, want []Direction) error {
	if err := checkDirections(want); err != nil {
		return fmt.Errorf("%w: study %q: %w", ErrConfig, name, err)
	}
	switch {
	case stored == nil || slices.Equal(stored, want):
		return nil
	case len(stored) == 1 && len(want) == 1:
		return fmt.Errorf("%w: study %q exists with direction %v, not %v", ErrConfig, name, stored[0], want[0])
	}
	return fmt.Errorf("%w: study %q exists with %s %v, not %s %v: a study's objectives never change (open it with Config.Directions = %v, or use another name)",
		ErrConfig, name, objectives(len(stored)), stored, objectives(len(want)), want, stored)
}

// objectives says "1 objective" or "n objectives".
func objectives(n int) string {
	if n == 1 {
		return "1 objective"
	}
	return fmt.Sprintf("%d objectives", n)
}
