package studyreport

import (
	"testing"

	"github.com/gradtune/gradtune/tuner/critic"
	"github.com/gradtune/gradtune/tuner/tunertrainer"
)

// The attributes this package reads are those pruning by diagnosis writes;
// it names them without importing tunertrainer (and so Gorgonia).
func TestDiagnosisAttrsAgree(t *testing.T) {
	if attrDiagnosisReason != tunertrainer.AttrDiagnosisReason || critic.AttrDiagnosis != tunertrainer.AttrDiagnosis {
		t.Errorf("attributes %q and %q, tunertrainer writes %q and %q",
			critic.AttrDiagnosis, attrDiagnosisReason, tunertrainer.AttrDiagnosis, tunertrainer.AttrDiagnosisReason)
	}
}
