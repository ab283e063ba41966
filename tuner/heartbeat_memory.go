package tuner

import (
	"context"
	"fmt"
	"time"
)

var _ HeartbeatStorage = (*memory)(nil)

// RecordHeartbeat implements HeartbeatStorage with the local clock (one
// process shares a memory storage, so one clock).
func (m *memory) RecordHeartbeat(_ context.Context, id int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.running(id); err != nil {
		return err
	}
	m.beats[id] = time.Now()
	return nil
}

// FailStaleTrials implements HeartbeatStorage under the storage's lock.
func (m *memory) FailStaleTrials(_ context.Context, studyID int64, grace time.Duration, reason string, requeue bool) ([]FrozenTrial, error) {
	if grace <= 0 {
		return nil, fmt.Errorf("%w: grace period %v, want > 0", ErrConfig, grace)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.byID[studyID]
	if !ok {
		return nil, fmt.Errorf("%w: no study %d", ErrStorage, studyID)
	}
	now := time.Now()
	var failed []FrozenTrial
	for _, t := range s.trials {
		beat, ok := m.beats[t.ID]
		if t.State != Running || !ok || now.Sub(beat) <= grace {
			continue
		}
		failed = append(failed, copyTrial(t))
		t.State, t.FailKind, t.FailReason, t.Complete = Failed, FailStale, reason, now
		t.setValues(nil)
	}
	for _, t := range failed {
		if requeue && len(t.Internal) > 0 {
			m.enqueue(s, t.Internal, t.Distributions, RequeueAttrs(t))
		}
	}
	return failed, nil
}
