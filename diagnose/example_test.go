package diagnose_test

import (
	"os"

	"github.com/gradtune/gradtune/diagnose"
	"github.com/gradtune/gradtune/trainer"
)

// A run whose validation loss bottoms out at epoch 3 and then rises while
// the training loss keeps falling.
func ExampleAnalyze() {
	train := []float64{0.9, 0.6, 0.45, 0.35, 0.28, 0.22, 0.18}
	val := []float64{0.95, 0.7, 0.6, 0.62, 0.66, 0.7, 0.75}
	h := &trainer.History{}
	for i := range train {
		h.Epochs = append(h.Epochs, trainer.EpochStats{Epoch: i + 1, TrainLoss: train[i], ValLoss: val[i], ValMetrics: map[string]float64{}})
	}
	if err := diagnose.Report(os.Stdout, diagnose.Analyze(h, diagnose.Options{})); err != nil {
		panic(err)
	}
	// Output:
	// diagnose: 1 problem (1 warning)
	//
	// [warning] overfitting at epochs 4–7
	//   evidence: validation loss rose from 0.6 at epoch 3 (its minimum) to 0.75 at epoch 7 (+25.0%) while the training loss fell from 0.45 to 0.18; the gap (validation − training) widened from 0.15 to 0.57
	//   cause:    the model memorizes the training set (noise included) instead of learning what generalizes: it has too much capacity, too little regularization or too little data
	//   fix:      stop at epoch 3 (trainer.EarlyStopping{Patience: 3} restores its weights); add regularization (regularizers.L2{Lambda: 1e-4}, raising it tenfold while the gap stays wide, or model.Dropout{Rate: 0.2}); get more training data; or use a smaller model
}
