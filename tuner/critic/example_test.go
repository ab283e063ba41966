package critic_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"math/rand/v2"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/critic"
)

// A search space with five mistakes, and what the critic says about it.
// The objective stands in for a validation loss: the learning rate is best
// near 3e-3 but searched on a linear scale, and training diverges above
// 0.05; the less dropout the better, below the range's 0.1; "sigmoid"
// costs 1; the batch size does not matter.
func ExampleReview() {
	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{Sampler: tuner.RandomSampler{}, Seed: 9, Parallelism: 1})
	if err != nil {
		log.Fatal(err)
	}
	err = study.Optimize(ctx, func(ctx context.Context, t *tuner.Trial) (float64, error) {
		lr := t.Float("lr", 1e-5, 0.1)
		dropout := t.Float("dropout", 0.1, 0.5)
		activation := t.String("activation", "relu", "tanh", "sigmoid")
		_ = t.Int("batch_size", 16, 256)
		if err := t.Err(); err != nil {
			return 0, err
		}
		if lr > 0.05 { // as pruning by diagnosis records it
			if err := t.SetAttr(critic.AttrDiagnosis, "diverging"); err != nil {
				return 0, err
			}
			return 0, tuner.ErrPruned
		}
		noise := rand.New(rand.NewPCG(1, uint64(t.Number()))).NormFloat64()
		loss := math.Pow(math.Log10(lr/3e-3), 2)/2 + 3*dropout + 0.05*noise
		if activation == "sigmoid" {
			loss += 1
		}
		return loss, nil
	}, tuner.Budget{Trials: 100})
	if err != nil {
		log.Fatal(err)
	}

	trials, err := study.Trials(ctx)
	if err != nil {
		log.Fatal(err)
	}
	findings, err := critic.Review(trials, study.Directions(), critic.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range findings {
		fmt.Println(f)
	}
	// Output:
	// [bad_region] lr
	//   evidence: 50 of 50 trials with lr > 0.05 diverged, against 0 of the 50 with lr ≤ 0.05; Fisher p = 9.9e-30 (0.00031 corrected for the 58 regions scanned, by 3200 permutations)
	//   fix:      lower the upper bound of lr to 0.05 (float[1e-05, 0.05])
	// [at_bound] dropout
	//   evidence: 3 of the 5 trials nearest its lower bound 0.1 (dropout ≤ 0.119) are among the best 10 of 50 complete trials; rank-sum p = 0.0024
	//   fix:      widen the range downward, e.g. to 0.01 (float[0.01, 0.5]), if dropout may go there: its best value may lie beyond 0.1
	// [use_log] lr
	//   evidence: lr spans 4.0 decades [1e-05, 0.1] on a linear scale, which draws 90% of its values in the top decade; yet 6 of the best 10 of 50 complete trials have lr < 0.01, against 4 of the other 40; rank-sum p = 0.00023
	//   fix:      search lr on a log scale (tuner.Log()): float[1e-05, 0.1] log
	// [never_wins] activation
	//   evidence: activation = "sigmoid" in 16 of 50 complete trials, none among the best 10; its mean rank 41.7 of 50 (the other choices' 17.9); rank-sum p = 3.5e-07
	//   fix:      drop "sigmoid" from the choices of activation
	// [unimportant] batch_size
	//   evidence: fANOVA importance 0.00866 (mean of 8 forests), within the range of a dummy random parameter's, 0.00236 to 0.0275 over 8 draws (mean 0.00763), while activation's is 0.703
	//   fix:      fix batch_size to 160 (the median among the best 10 trials) and spend the trials on the others
}
