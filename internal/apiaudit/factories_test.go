package apiaudit

import "testing"

// TestFactoriesFillEveryMode makes a value of every type that has a factory,
// in every mode. A factory that panics would be blamed on the function under
// audit: trainer.Callback, given the value trainer.EarlyStopping (whose
// methods have pointer receivers, so only *EarlyStopping is a Callback),
// made every trainer.New call with a Config panic in reflect, which the
// audit listed as "PANIC trainer.New at (outside-gradtune)".
func TestFactoriesFillEveryMode(t *testing.T) {
	for typ := range factories {
		for m := modeOne; m < numModes; m++ {
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("fill(%v, %v) panicked: %v", typ, m, p)
					}
				}()
				if v := fill(typ, m, 0); v.Type() != typ && !v.Type().AssignableTo(typ) {
					t.Errorf("fill(%v, %v) made a %v", typ, m, v.Type())
				}
			}()
		}
	}
}
