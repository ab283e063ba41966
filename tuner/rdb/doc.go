// Package rdb is a tuner.Storage in Optuna's own relational schema, so that
// Optuna 3.1 and its tools read and write gradtune studies and the other
// way round:
//
//	st, err := rdb.OpenSQLite("study.db")
//	defer st.Close()
//	study, err := tuner.Open(ctx, tuner.Config{Name: "mlp", Storage: st})
//
// and in Python (Debian's python3-optuna 3.1):
//
//	study = optuna.load_study(study_name="mlp", storage="sqlite:///study.db")
//
// # Schema
//
// The tables, columns and index are those Optuna 3.1.0 creates
// (optuna/storages/_rdb/models.py, alembic revision v3.0.0.d), statement
// for statement; testdata/optuna-3.1.0-schema.sql is the real Optuna's dump
// and a test compares them. Enums are VARCHAR without CHECKs, as SQLAlchemy
// makes them; version_info holds schema version 12 and library version
// 3.1.0, alembic_version the revision. A study has one objective
// (study_directions row 0). Values are stored as Optuna stores them:
// parameters in internal form (a categorical's index) with
// distribution_json byte for byte as Optuna's distribution_to_json writes
// it (MarshalDistribution); ±Inf values and ±Inf or NaN intermediate
// values as NULL with a type (INF_POS, INF_NEG, NAN); no trial_values row
// for a trial without value (NaN); trial numbers are Optuna's
// count_past_trials; datetimes are local, as SQLAlchemy writes Python's
// datetime.now(). The tuner's own bookkeeping (process owner, grid point,
// successive-halving rungs, re-queue origin, fail kind and reason, the sign
// of −0, which SQLite's FLOAT columns drop) lives in
// trial_system_attributes, JSON-encoded; see attrs.go for the keys.
//
// Known differences from Optuna's behaviour: gradtune's GridSampler claims
// grid points atomically where Optuna's picks at random; without
// heartbeats (tuner.Config.HeartbeatInterval zero) a trial Running in a
// Python worker has no gradtune owner, so a gradtune process opening the
// study fails it as stale; with heartbeats only trials whose heartbeat is
// too old are (a Python worker needs heartbeat_interval too). Optuna 3.1 itself
// orders an INF_POS value first in best_trial for a minimized study
// (find_min_value_trial sorts the NULL value first).
//
// Newer Optuna versions and optuna-dashboard upgrade the schema first
// (`optuna storage upgrade --storage sqlite:///study.db`); gradtune then
// refuses the file with ErrSchemaRevision naming the revision it expects.
// Files of gradtune's earlier schema (tuner/sqlite) are refused with
// ErrOldSchema and the command that moves them aside.
//
// # Concurrency
//
// SQLite files are opened in WAL mode with a 10 s busy timeout. Every write
// is one BEGIN IMMEDIATE transaction, which takes the file's write lock
// before reading what it changes: claiming the oldest Waiting trial, a
// trial's number, and a tuner.Claim's value (a grid point) happen exactly
// once across goroutines and processes. Keep the file on a local disk.
//
// # Heartbeats
//
// Storage is a tuner.HeartbeatStorage: Running trials upsert their row of
// Optuna's trial_heartbeats with the database's clock (UTC on SQLite, as
// Optuna stores it), and FailStaleTrials fails the trials whose heartbeat
// is older than the grace period by that same clock, and re-queues them,
// in one write transaction — the one FinishTrial takes — so that each
// stale trial is failed and re-queued once, whichever worker sees it
// first. Optuna's own fail_stale_trials reads the same rows.
//
// # Other databases
//
// What differs between databases (placeholders, the lock clause of the
// claim, the schema's DDL, listing tables) sits in the dialect type, so
// that a PostgreSQL dialect (pgx, FOR UPDATE SKIP LOCKED) slots in beside
// SQLite's.
package rdb
