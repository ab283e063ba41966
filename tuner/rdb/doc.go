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
// 3.1.0, alembic_version the revision. A study has one objective per
// study_directions row (0, 1, …: tuner.Config.Directions), and a trial one
// trial_values row per objective. Values are stored as Optuna stores them:
// parameters in internal form (a categorical's index) with
// distribution_json byte for byte as Optuna's distribution_to_json writes
// it (MarshalDistribution); ±Inf values and ±Inf or NaN intermediate
// values as NULL with a type (INF_POS, INF_NEG, NAN); no trial_values row
// for a trial without value (NaN); trial numbers are Optuna's
// count_past_trials; datetimes are local, as SQLAlchemy writes Python's
// datetime.now(). The tuner's own bookkeeping (process owner, grid point,
// successive-halving rungs, re-queue origin, fail kind and reason, the sign
// of −0, which SQLite's FLOAT columns drop) lives in
// trial_system_attributes, JSON-encoded; see attrs.go for the keys. A
// trial's constraints (tuner.Trial.SetConstraints) are Optuna's own system
// attribute "constraints", the JSON list its samplers' constraints_func
// results are stored as, so each side reads the other's.
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
// # Untrusted files
//
// A SQLite study file is data, not code: OpenSQLite refuses a file holding
// views, triggers, virtual tables, or Optuna tables with other columns than
// Optuna 3.1's (ErrUnsafeSchema, naming the object and the way out), no
// connection runs SQL stored in the file, values are capped at 16 MiB and
// reads at 2^20 trials a study (see OpenSQLite).
//
// # Concurrency
//
// SQLite files are opened in WAL mode with a 10 s busy timeout. Every write
// is one BEGIN IMMEDIATE transaction, which takes the file's write lock
// before reading what it changes: claiming the oldest Waiting trial, a
// trial's number, and a tuner.Claim's value (a grid point) happen exactly
// once across goroutines and processes. Keep the file on a local disk.
//
// # PostgreSQL
//
//	st, err := rdb.Open(ctx, "postgres://user@host:5432/studies?sslmode=disable")
//	study = optuna.load_study(study_name="mlp",
//	    storage="postgresql+psycopg2://user@host:5432/studies?sslmode=disable")
//
// rdb.Open takes sqlite:///path.db or a postgres:// URL (OpenPostgres,
// pgx through database/sql); OptunaStorageURL gives the URL Optuna takes.
// The schema is Optuna 3.1's as SQLAlchemy creates it on PostgreSQL (real
// ENUM types studydirection, trialstate, trialvaluetype and
// trialintermediatevaluetype; SERIAL keys; double precision; timestamp
// without time zone); testdata/optuna-3.1.0-schema-postgres.txt is the real
// Optuna's catalog and a test compares them. Processes opening a new
// database at once create the schema once (an advisory lock). Waiting
// trials are claimed with FOR UPDATE SKIP LOCKED; a transaction that
// numbers a trial or claims a value (a grid point) first locks the study
// row FOR UPDATE, the lock Optuna 3.1 takes to number its trials, so
// numbers and claims are exactly-once across gradtune and Python workers.
// Reads are REPEATABLE READ snapshots; a write aborted by a serialization
// failure, a deadlock or a unique key inserted by a concurrent transaction
// is retried for up to 10 s. Differences from SQLite: Optuna's step column
// is 32-bit there, so a larger step is tuner.ErrConfig; Optuna 3.1's
// best_trial ignores ±Inf values there (PostgreSQL sorts their NULL last).
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
// What differs between databases (placeholders, lock clauses, the
// schema's DDL, listing tables, read isolation, retries, the step width)
// sits in the dialect type.
package rdb
