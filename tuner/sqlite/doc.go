// Package sqlite is a persistent tuner.Storage in one SQLite file, pure Go
// (modernc.org/sqlite, no cgo), so that a study survives its process and can
// be resumed, or shared by several processes on one machine:
//
//	st, err := sqlite.Open("study.db")
//	defer st.Close()
//	study, err := tuner.Open(ctx, tuner.Config{Name: "mlp", Storage: st})
//
// The schema follows Optuna's RDB storage (optuna/storages/_rdb/models.py,
// Optuna 3.1): tables studies, trials, trial_params (internal value and
// distribution JSON), trial_values, trial_intermediate_values,
// trial_attributes and version_info. Values that SQLite cannot keep in a
// float column travel in a type column, as in Optuna: value_type is FINITE
// (value holds it), INF_POS, INF_NEG or NAN (value is NULL).
//
// Where it differs from Optuna: one objective per study (the direction sits
// in studies, there is no study_directions table), so a study of several
// objectives (tuner.Config.Directions) is refused with tuner.ErrConfig:
// tuner/rdb keeps them, in Optuna's own schema. A trial's constraints
// (tuner.Trial.SetConstraints) are its attribute "constraints", a JSON list.
// Failed trials keep their
// NaN value (type NAN) where Optuna stores none; fail_reason and fail_kind
// (tuner.FailKind, which decides what counts toward a budget) are columns of
// trials, not system attributes; attributes are plain text, not JSON;
// datetime_start and datetime_complete are Unix times in nanoseconds
// (INTEGER); trial numbers are UNIQUE per study (Optuna leaves number
// unconstrained to avoid table locks; SQLite serializes writers anyway);
// there are no heartbeats. Float columns have no declared type (they hold
// 8-byte doubles, checked), so every float64, −0 included, comes back bit
// for bit.
//
// Concurrency: the file is opened in WAL mode with a 10 s busy timeout and
// foreign keys on. Every write runs in one BEGIN IMMEDIATE transaction, so
// writers, from any goroutine or process, take the write lock before they
// read what they will change (a deferred transaction that reads first fails
// with "database is locked" instead of waiting once another writer has
// committed). Reads run in deferred read transactions and never block
// writers. Trial numbers are the count of the study's trials, taken inside
// the write transaction, and CreateTrial claims the oldest Waiting trial in
// the same transaction, and with a tuner.Claim (tuner.GridSampler's point)
// chooses the claimed value there too, so two processes never get the same
// number, the same queued trial or the same grid point. Keep the file on a
// local disk: SQLite's locks do not work over NFS.
//
// Study files are data, not code: Open refuses a file holding views,
// triggers, virtual tables or tables of ours with other columns
// (ErrUnsafeSchema), no connection runs SQL stored in the file, values are
// capped at 16 MiB and reads at 2^20 trials (see Open).
//
// Processes may share one study: each trial records its process
// (host/pid/token), and tuner.Open fails as stale only the Running trials of
// processes that are gone (there are no heartbeats, so a process on another
// host counts as gone). A TotalTrials budget is counted per process and may
// be overshot when several run at once.
package sqlite
