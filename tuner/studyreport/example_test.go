package studyreport_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/studyreport"
	"github.com/gradtune/gradtune/tuner/tunertrainer"
)

// A study whose learning rate diverges above 0.05, and its report folder.
// The objective stands in for training: it records a divergence as
// tunertrainer.PruneOnDiagnosis does, and reports a validation loss per
// epoch.
func ExampleWrite() {
	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{Name: "mlp", Sampler: tuner.RandomSampler{}, Seed: 4, Parallelism: 1})
	if err != nil {
		log.Fatal(err)
	}
	err = study.Optimize(ctx, func(ctx context.Context, t *tuner.Trial) (float64, error) {
		lr := t.Float("lr", 1e-4, 0.1)
		units := t.Int("units", 8, 64)
		if err := t.Err(); err != nil {
			return 0, err
		}
		if lr > 0.05 {
			if err := t.SetAttr(tunertrainer.AttrDiagnosis, string(tunertrainer.Diverging)); err != nil {
				return 0, err
			}
			if err := t.SetAttr(tunertrainer.AttrDiagnosisReason, fmt.Sprintf("step 12: the loss grew 10× at lr %.3g", lr)); err != nil {
				return 0, err
			}
			return 0, tuner.ErrPruned
		}
		loss := math.Pow(math.Log10(lr/3e-3), 2)/2 + math.Abs(float64(units-32))/100
		for epoch := 1; epoch <= 3; epoch++ {
			if err := t.Report(epoch, loss+1/float64(epoch)); err != nil {
				return 0, err
			}
		}
		return loss, nil
	}, tuner.Budget{Trials: 30})
	if err != nil {
		log.Fatal(err)
	}

	dir, err := os.MkdirTemp("", "study")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	files, err := studyreport.Write(ctx, dir, studyreport.Input{Study: study})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		fmt.Println(filepath.Base(f))
	}
	txt, err := os.ReadFile(filepath.Join(dir, "report.txt"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(txt))
	// Output:
	// trials.csv
	// trials.json
	// history.png
	// history.svg
	// importances.png
	// importances.svg
	// parallel.png
	// parallel.svg
	// intermediate.png
	// intermediate.svg
	// report.txt
	// gradtune study report
	//
	// Study
	// =====
	// name:       mlp
	// directions: minimize
	// trials:     30: 16 complete, 14 pruned
	// best of the 16 Complete trials:
	//   trial 1: value 0.165438
	//     lr=0.00994439 units=35
	//
	// Search-space critic
	// ===================
	// [bad_region] lr
	//   evidence: 14 of 14 trials with lr > 0.05 diverged, against 0 of the 16 with lr ≤ 0.05; Fisher p = 6.9e-09 (0.0005 corrected for the 25 regions scanned, by 1999 permutations)
	//   fix:      lower the upper bound of lr to 0.05 (float[0.0001, 0.05])
	//
	// Noise analysis
	// ==============
	// no re-evaluation was run: the best value is one evaluation, and it may have won by seed noise.
	// noise.ReevaluateObjective(ctx, study, objectiveWithSeed, noise.Options{}) re-runs the top 3 configurations
	// with seeds 1 to 5 and tests whether the best beats the runner-up; pass its Report as studyreport.Input.Noise.
	//
	// Doctor's causes
	// ===============
	// pruned by diagnosis: 14 trials
	//   diverging: 14 trials: 0, 2, 4, 8, 11, 12, 13, 15, 16, 19, 20, 21, 23, 29
	//     trial 0: step 12: the loss grew 10× at lr 0.074
	//     trial 2: step 12: the loss grew 10× at lr 0.0562
	//     trial 4: step 12: the loss grew 10× at lr 0.0528
	//
	// Importances
	// ===========
	// fANOVA (importance.Evaluate) over the Complete trials, of the parameters all of them suggested:
	//   lr     0.929
	//   units  0.071
	//
	// Charts
	// ======
	// history.png, history.svg: the objective of each Complete trial and the best so far
	// importances.png, importances.svg: the importances above, as bars
	// parallel.png, parallel.svg: parallel coordinates: each Complete trial across the parameters
	// intermediate.png, intermediate.svg: the values each trial reported per step
}
