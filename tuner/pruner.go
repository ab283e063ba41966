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
	Trial *FrozenTrial
	// Direction is the study's, of one objective; goal.Auto with several.
	Direction Direction
	// Directions are the study's, one per objective. With several, the
	// trials' reports are in FrozenTrial.IntermediateVectors (objective 0's
	// also in Intermediate). Nil when the pruner is called outside a study
	// with one objective: Direction then.
	Directions []Direction
}

// Pruner decides whether a running trial should stop. The study calls it
// under a lock. Package tuner/prune holds Optuna's pruners. A study of
// several objectives takes only a pruner that is a DirectionsValidator and
// accepts its directions (or NopPruner).
type Pruner interface {
	Prune(c *PruneContext) bool
}

// NopPruner never prunes.
type NopPruner struct{}

// Prune implements Pruner.
func (NopPruner) Prune(*PruneContext) bool { return false }
