package losses

import "testing"

// The SampleWeighter contract (losses.go), checked on every golden case:
// Reduce(Mean) = Σ c·ℓ / Σ c, Reduce(Sum) = Σ c·ℓ, Reduce(None) = c ⊙ ℓ, with
// ℓ and c read back from the same graph. TestMatchesTorch checks that these
// Reduce values are torch's.
func TestReductionContract(t *testing.T) {
	for _, c := range loadCases(t) {
		for _, d := range dtypeTols {
			t.Run(c.Loss+"/"+c.Name+"/"+d.dt.String(), func(t *testing.T) {
				l := c.loss(t)
				tol := tolerance{1e-12, 0}
				if d.dt.String() == "float32" {
					tol = tolerance{1e-6, 1e-7}
				}
				for _, red := range reductions {
					e := eval(t, l, c, red.r, d.dt)
					cw := e.weights
					if cw == nil {
						cw = ones(len(e.perSample))
					}
					weighted, num, den := make([]float64, len(cw)), 0.0, 0.0
					for i := range cw {
						weighted[i] = cw[i] * e.perSample[i]
						num += weighted[i]
						den += cw[i]
					}
					want := map[Reduction][]float64{Mean: {num / den}, Sum: {num}, None: weighted}[red.r]
					tol.check(t, red.name+" value", e.value, want)
				}
			})
		}
	}
}

// What a trainer does with a padded batch: Σ m·c·ℓ / Σ m·c over a batch with
// an extra row of mask 0 is torch's mean over the real rows.
func TestPaddedMeanIsTorchMean(t *testing.T) {
	for _, c := range loadCases(t) {
		t.Run(c.Loss+"/"+c.Name, func(t *testing.T) {
			padded := c
			padded.Pred = append(append([][]float64(nil), c.Pred...), c.Pred[0])
			padded.Target = append(append([][]float64(nil), c.Target...), c.Target[0])
			padded.Cotangent = append(append([]float64(nil), c.Cotangent...), 1)
			e := eval(t, c.loss(t), padded, Mean, dtypeTols[0].dt)
			cw := e.weights
			if cw == nil {
				cw = ones(len(e.perSample))
			}
			num, den := 0.0, 0.0
			for i := range len(c.Pred) { // the padding row has mask 0
				num += cw[i] * e.perSample[i]
				den += cw[i]
			}
			dtypeTols[0].tol.check(t, "masked mean", []float64{num / den}, c.Reductions["mean"].Value)
		})
	}
}

// Every loss type of the package has golden cases.
func TestEveryLossHasGoldenCases(t *testing.T) {
	seen := map[string]int{}
	for _, c := range loadCases(t) {
		seen[c.Loss]++
	}
	for _, l := range []Loss{MSE{}, MAE{}, Huber{}, SmoothL1{}, BCE{}, BCEWithLogits{}, CrossEntropy{}, NLL{}} {
		if seen[l.String()] < 2 {
			t.Errorf("%v: %d golden cases, want ≥ 2", l, seen[l.String()])
		}
	}
}

func ones(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = 1
	}
	return out
}
