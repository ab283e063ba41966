package rdb

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/internal/studyfile"
)

var _ tuner.HeartbeatStorage = (*Storage)(nil)

// RecordHeartbeat implements tuner.HeartbeatStorage: it upserts the trial's
// row of Optuna's trial_heartbeats with the database's clock (UTC on
// SQLite, as Optuna's record_heartbeat), so workers' clocks never matter.
// tuner.ErrTrialFinished if the trial is not Running.
func (s *Storage) RecordHeartbeat(ctx context.Context, trialID int64) error {
	return s.write(ctx, fmt.Sprintf("heartbeat of trial id %d", trialID), func(t txn) error {
		if err := mustBeRunning(t, trialID); err != nil {
			return err
		}
		_, err := t.exec(`INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES (?, `+t.d.now+`)
			ON CONFLICT (trial_id) DO UPDATE SET heartbeat = excluded.heartbeat`, trialID)
		return err
	})
}

// FailStaleTrials implements tuner.HeartbeatStorage in one write
// transaction (BEGIN IMMEDIATE on SQLite), the path FinishTrial takes: the
// study's Running trials whose heartbeat is older than grace by the
// database's clock (Optuna's _get_stale_trial_ids) are failed as
// tuner.FailStale with reason and, with requeue, queued again with their
// parameters and tuner.RequeueAttrs, so that no other worker sees the
// trial failed before its copy is queued.
func (s *Storage) FailStaleTrials(ctx context.Context, studyID int64, grace time.Duration, reason string, requeue bool) ([]tuner.FrozenTrial, error) {
	if grace <= 0 {
		return nil, fmt.Errorf("%w: rdb: grace period %v, want > 0", tuner.ErrConfig, grace)
	}
	var failed []tuner.FrozenTrial
	err := s.write(ctx, fmt.Sprintf("fail stale trials of study %d", studyID), func(t txn) error {
		failed = nil // a retried transaction starts over
		if err := studyExists(t, studyID); err != nil {
			return err
		}
		rows, err := t.query(`SELECT t.trial_id FROM trials t JOIN trial_heartbeats h ON h.trial_id = t.trial_id
			WHERE t.study_id = ? AND t.state = 'RUNNING' AND `+t.d.heartbeatOlder+`
			ORDER BY t.number, t.trial_id`+t.d.lockStale, studyID, grace.Seconds())
		if err != nil {
			return err
		}
		var ids []int64
		count := studyfile.NewCounter("stale trials", studyfile.MaxTrials, 0)
		if err := eachRow(rows, func() error {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
			return count.Row(id)
		}); err != nil {
			return err
		}
		for _, id := range ids {
			trials, err := loadTrials(t, byTrial, id)
			if err != nil {
				return err
			}
			ft := trials[0]
			if err := finish(t, id, tuner.Failed, nil, tuner.FailStale, reason); err != nil {
				return err
			}
			failed = append(failed, ft)
			if requeue && len(ft.Internal) > 0 {
				if err := requeueTrial(t, studyID, ft); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return failed, nil
}

// requeueTrial queues ft's parameters again as a Waiting trial that names
// ft (tuner.RequeueAttrs), inside the caller's transaction.
func requeueTrial(t txn, studyID int64, ft tuner.FrozenTrial) error {
	names := make([]string, 0, len(ft.Internal))
	jsons := map[string]string{}
	for name, x := range ft.Internal {
		js, err := checkParam(name, x, ft.Distributions[name])
		if err != nil {
			return err
		}
		names, jsons[name] = append(names, name), js
	}
	sort.Strings(names)
	return enqueue(t, studyID, names, ft.Internal, jsons, tuner.RequeueAttrs(ft))
}
