package rdb

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/internal/pyjson"
)

// Where a trial's attributes live. The tuner keeps them in one map
// (FrozenTrial.Attrs); Optuna has user and system attributes. The tuner's
// own bookkeeping goes to trial_system_attributes, so that Optuna's tools
// show only the user's attributes as user_attrs:
//
//   - grid_id (GridSampler's point) and completed_rung_<k> (successive
//     halving's rungs) under those names, as Optuna's GridSampler and
//     SuccessiveHalvingPruner store theirs, as JSON numbers (a rung of a
//     study of several objectives: a JSON list, one number per objective);
//   - owner, requeued_from, retries and sequence_number as gradtune:owner,
//     gradtune:requeued_from, gradtune:retries and gradtune:sequence_number;
//   - intermediate_values_<n> (Trial.ReportValues: every objective's value
//     at step n of a study of several; objective 0's is also step n's
//     intermediate value) as gradtune:intermediate_values_<n>, a JSON list;
//   - constraints (Trial.SetConstraints) under Optuna's own key,
//     constraints, as the JSON list Optuna's samplers store there;
//   - NSGA-II's nsga2:generation (a JSON number, as Optuna's
//     NSGAIISampler keeps it, so that either continues the other's
//     generations) and nsga2:parents (a JSON list of trial numbers);
//   - FailReason as Optuna's fail_reason, FailKind as gradtune:fail_kind;
//   - gradtune:negative_zero_value, gradtune:negative_zero_value_<k> and
//     gradtune:negative_zero_step_<n>: true where the value (of objective
//     0, of objective k ≥ 1, or step n's intermediate value) is −0, whose
//     sign SQLite's FLOAT columns drop.
//
// Every other attribute is a user attribute. Values are JSON (value_json)
// as Optuna's json.dumps writes them: strings quoted, numbers bare.
const (
	sysPrefix           = "gradtune:"
	sysFailKind         = sysPrefix + "fail_kind"
	sysFailReason       = "fail_reason"
	sysNegZeroValue     = sysPrefix + "negative_zero_value"
	sysNegZeroStepStart = sysPrefix + "negative_zero_step_"
	rungPrefix          = "completed_rung_"
	constraintsKey      = "constraints" // Optuna's _CONSTRAINTS_KEY
	vectorPrefix        = "intermediate_values_"
	nsgaPrefix          = "nsga2:" // Optuna's NSGAIISampler's keys
)

// negZeroValueKey is the system attribute that marks objective k's value
// −0: gradtune:negative_zero_value for objective 0, as before several
// objectives, gradtune:negative_zero_value_<k> for the others.
func negZeroValueKey(k int) string {
	if k == 0 {
		return sysNegZeroValue
	}
	return sysNegZeroValue + "_" + strconv.Itoa(k)
}

// negZeroObjective inverts negZeroValueKey.
func negZeroObjective(key string) (int, bool) {
	if key == sysNegZeroValue {
		return 0, true
	}
	k, err := strconv.Atoi(strings.TrimPrefix(key, sysNegZeroValue+"_"))
	return k, err == nil && k > 0 && strings.HasPrefix(key, sysNegZeroValue+"_")
}

// gradtuneAttrs are the tuner's own attributes kept as gradtune:<name>.
var gradtuneAttrs = map[string]bool{"owner": true, "requeued_from": true, "retries": true, "sequence_number": true}

// systemKey returns the trial_system_attributes key of a tuner attribute
// kept there, and false for a user attribute.
func systemKey(attr string) (string, bool) {
	switch {
	case gradtuneAttrs[attr] || strings.HasPrefix(attr, vectorPrefix):
		return sysPrefix + attr, true
	case attr == "grid_id" || attr == constraintsKey || strings.HasPrefix(attr, rungPrefix) || strings.HasPrefix(attr, nsgaPrefix):
		return attr, true
	}
	return "", false
}

// attrOfSystemKey is systemKey's inverse: the tuner attribute a system
// attribute holds, and false for the others (Optuna's own, and the
// gradtune:* fields that are not attributes).
func attrOfSystemKey(key string) (string, bool) {
	switch {
	case strings.HasPrefix(key, sysPrefix) && (gradtuneAttrs[strings.TrimPrefix(key, sysPrefix)] || strings.HasPrefix(key, sysPrefix+vectorPrefix)):
		return strings.TrimPrefix(key, sysPrefix), true
	case key == "grid_id" || key == constraintsKey || strings.HasPrefix(key, rungPrefix) || strings.HasPrefix(key, nsgaPrefix):
		return key, true
	}
	return "", false
}

// attrTable returns the table and key that hold the tuner attribute attr.
func attrTable(attr string) (table, key string) {
	if k, ok := systemKey(attr); ok {
		return "trial_system_attributes", k
	}
	return "trial_user_attributes", attr
}

// encodeAttr is value_json for a tuner attribute: a system attribute that
// is a JSON number (a grid index, a rung value, a generation) bare, as
// Optuna stores its own, and so are constraints, rungs, intermediate vectors
// and NSGA-II's parents that are a list of numbers as Python's json writes
// it (the tuner writes them so); anything else as a JSON string.
func encodeAttr(attr, value string) string {
	if _, sys := systemKey(attr); sys && isJSONNumber(value) {
		return value
	}
	if _, err := pyjson.ParseFloats(value); err == nil &&
		(attr == constraintsKey || strings.HasPrefix(attr, rungPrefix) || strings.HasPrefix(attr, vectorPrefix) || strings.HasPrefix(attr, nsgaPrefix)) {
		return value
	}
	return pyString(value)
}

func isJSONNumber(s string) bool {
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) || !json.Valid([]byte(s)) {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// decodeAttr reads value_json back: a JSON string as its text, any other
// JSON (Optuna's numbers, lists, objects) as written, so that encodeAttr
// of the result writes it unchanged.
func decodeAttr(js string) string {
	if strings.HasPrefix(js, `"`) {
		var s string
		if json.Unmarshal([]byte(js), &s) == nil {
			return s
		}
	}
	return js
}

// failKind is the kind of a trial in state st stored as kind with reason:
// none unless Failed; for a Failed trial without one (failed by Optuna),
// the kind tuner.LegacyFailKind reads from its message.
func failKind(st tuner.TrialState, kind, reason string) tuner.FailKind {
	switch {
	case st != tuner.Failed:
		return ""
	case kind == "":
		return tuner.LegacyFailKind(reason)
	}
	return tuner.FailKind(kind)
}

// putAttr inserts or replaces one tuner attribute of a trial.
func putAttr(t txn, trialID int64, attr, value string) error {
	table, key := attrTable(attr)
	return putJSON(t, table, trialID, key, encodeAttr(attr, value))
}

// putJSON inserts or replaces one row of a trial attribute table.
func putJSON(t txn, table string, trialID int64, key, valueJSON string) error {
	_, err := t.exec(`INSERT INTO `+table+` (trial_id, "key", value_json) VALUES (?, ?, ?)
		ON CONFLICT (trial_id, "key") DO UPDATE SET value_json = excluded.value_json`, trialID, key, valueJSON)
	return err
}

// deleteSystem removes a system attribute of a trial, if it is there.
func deleteSystem(t txn, trialID int64, key string) error {
	_, err := t.exec(`DELETE FROM trial_system_attributes WHERE trial_id = ? AND "key" = ?`, trialID, key)
	return err
}
