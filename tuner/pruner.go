package tuner

// PruneContext is what a pruner sees.
type PruneContext struct {
	// StudyName is the study's Config.Name (Hyperband seeds its brackets with it).
	StudyName string
	// SetAttr stores an attribute of the running trial (the rungs a
	// successive-halving pruner records, so they survive a reopen); nil
	// when the pruner is called outside a study.
	SetAttr func(key, value string) error
	// Trials are the study's other trials, ordered by number.
	Trials []FrozenTrial
	// Trial is the running trial, with its intermediate values so far.
	Trial     *FrozenTrial
	Direction Direction
}

// Pruner decides whether a running trial should stop. The study calls it
// under a lock. Package tuner/prune holds Optuna's pruners.
type Pruner interface {
	Prune(c *PruneContext) bool
}

// NopPruner never prunes.
type NopPruner struct{}

// Prune implements Pruner.
func (NopPruner) Prune(*PruneContext) bool { return false }
