package rdb

import (
	"database/sql"
	"fmt"
	"net/url"

	"github.com/gradtune/gradtune/tuner"
)

// lockStudy is studyExists for a write transaction that numbers a trial
// (Optuna's count of earlier trials) or reads claim holders: on PostgreSQL
// it locks the study row until commit, so that such transactions on one
// study run one after another across processes and never count the same
// past trials; on SQLite BEGIN IMMEDIATE has serialized them already.
// It is the lock Optuna 3.1 takes for the same reason
// (RDBStorage._create_new_trial: StudyModel.find_or_raise_by_id with
// for_update=True), so Python and gradtune workers never share a number.
func lockStudy(t txn, id int64) error {
	var one int
	err := t.row(`SELECT 1 FROM studies WHERE study_id = ?`+t.d.lockStudy, id).Scan(&one)
	if err == sql.ErrNoRows {
		return fmt.Errorf("%w: no study %d", tuner.ErrStorage, id)
	}
	return err
}

// optunaURLForMessages is the Optuna storage URL without its password.
func (s *Storage) optunaURLForMessages() string {
	u, err := url.Parse(s.optunaURL)
	if err != nil || u.User == nil {
		return s.optunaURL
	}
	return u.Redacted()
}
