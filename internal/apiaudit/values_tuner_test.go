package apiaudit

import (
	"context"
	"math/rand/v2"
	"reflect"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/critic"
	"github.com/gradtune/gradtune/tuner/importance"
	"github.com/gradtune/gradtune/tuner/prune"
	"github.com/gradtune/gradtune/tuner/studyreport"
)

// The tuner's arguments: a working study on the memory storage, a live
// trial of it (its objective still running), and the trials of a finished
// study with float, int and categorical parameters and intermediate values,
// so that the pruners, importance and plots get past their first checks.
func init() {
	one := func(f func() any) func(m mode) (reflect.Value, bool) {
		return func(m mode) (reflect.Value, bool) {
			if m != modeOne {
				return reflect.Value{}, false
			}
			return reflect.ValueOf(f()), true
		}
	}
	factories[typeOf[*tuner.Study]()] = one(func() any { return newStudy() })
	factories[typeOf[*tuner.Trial]()] = one(func() any { return newLiveTrial() })
	factories[typeOf[tuner.Config]()] = one(func() any { return tuner.Config{Sampler: tuner.RandomSampler{}, Parallelism: 1, Seed: 1} })
	// Params left nil (every parameter): the plausible "a" names none.
	factories[typeOf[importance.Options]()] = one(func() any { return importance.Options{Trees: 8, Seed: 1} })
	// Small enough for the 10 complete trials of finishedTrials to be judged.
	factories[typeOf[critic.Options]()] = one(func() any {
		return critic.Options{MinTrials: 5, MinTries: 2, MinRegion: 2, Repeats: 2, Trees: 4, Seed: 1}
	})
	// A study's report gets as far as its charts and report.txt.
	factories[typeOf[studyreport.Input]()] = one(func() any {
		return studyreport.Input{Trials: finishedTrials(), Directions: []tuner.Direction{tuner.Minimize},
			Critic: critic.Options{MinTrials: 5, MinTries: 2, MinRegion: 2, Repeats: 2, Trees: 4, Seed: 1}, Importance: importance.Options{Trees: 8, Seed: 1}}
	})
	factories[typeOf[[]tuner.FrozenTrial]()] = one(func() any { return finishedTrials() })
	factories[typeOf[tuner.FrozenTrial]()] = one(func() any { return finishedTrials()[0] })
	factories[typeOf[*tuner.SampleContext]()] = one(func() any {
		trials := finishedTrials()
		return &tuner.SampleContext{Trials: trials[1:], Trial: &trials[0], Direction: tuner.Minimize, Rand: rand.New(rand.NewPCG(1, 2))}
	})
	factories[typeOf[*tuner.PruneContext]()] = one(func() any {
		trials := finishedTrials()
		running := trials[len(trials)-1]
		running.State = tuner.Running
		return &tuner.PruneContext{StudyName: "a", SetAttr: func(string, string) error { return nil },
			Trials: trials[:len(trials)-1], Trial: &running, Direction: tuner.Minimize}
	})
	factories[typeOf[tuner.Storage]()] = func(m mode) (reflect.Value, bool) {
		if m == modeZero {
			return reflect.Zero(typeOf[tuner.Storage]()), true
		}
		return reflect.ValueOf(tuner.NewMemoryStorage()), true
	}
	// A plausible distribution is [0, 1], which holds the plausible 0.5.
	factories[typeOf[tuner.Distribution]()] = implAs[tuner.Distribution](tuner.FloatDist{Low: 0, High: 1}, tuner.FloatDist{})
	factories[typeOf[tuner.Sampler]()] = implAs[tuner.Sampler](tuner.TPESampler{StartupTrials: 2}, tuner.TPESampler{})
	factories[typeOf[tuner.Pruner]()] = implAs[tuner.Pruner](prune.Median{StartupTrials: 1}, prune.Median{})
}

// implAs makes an argument of interface type I: nil in modeZero,
// plausible in modeOne, and otherwise a value of concrete's type filled in
// the mode.
func implAs[I any](plausible I, concrete any) func(m mode) (reflect.Value, bool) {
	iface := typeOf[I]()
	return func(m mode) (reflect.Value, bool) {
		switch m {
		case modeZero:
			return reflect.Zero(iface), true
		case modeOne:
			return reflect.ValueOf(&plausible).Elem(), true
		}
		return fill(reflect.TypeOf(concrete), m, 1).Convert(iface), true
	}
}

// newStudy opens a study on a new memory storage, one trial at a time.
func newStudy() *tuner.Study {
	s, err := tuner.Open(context.Background(), tuner.Config{Name: "a", Sampler: tuner.RandomSampler{}, Parallelism: 1, Seed: 1})
	must(err)
	return s
}

// newLiveTrial returns a Running trial of a new study, whose objective
// waits forever on its own goroutine (the child process ends soon enough),
// so that the trial's methods meet a trial as an objective sees it. The
// objective, blocked, leaves the trial to the audit's calls, one at a time.
func newLiveTrial() *tuner.Trial {
	got := make(chan *tuner.Trial)
	go newStudy().Optimize(context.Background(), func(ctx context.Context, t *tuner.Trial) (float64, error) {
		got <- t
		<-ctx.Done()
		return 0, ctx.Err()
	}, tuner.Budget{Trials: 1})
	return <-got
}

// finishedTrials runs 12 trials of a study with a float, a log int and a
// categorical parameter, each reporting 3 intermediate values; the last
// two are pruned at their second step.
func finishedTrials() []tuner.FrozenTrial {
	ctx := context.Background()
	s := newStudy()
	err := s.Optimize(ctx, func(ctx context.Context, t *tuner.Trial) (float64, error) {
		x := t.Float("x", 0, 1)
		n := t.Int("n", 1, 64, tuner.Log())
		c := t.Categorical("c", "a", "b", 3)
		v := x*x + float64(n)/64
		if c == "b" {
			v++
		}
		for step := range 3 {
			if err := t.Report(step, v+float64(2-step)); err != nil {
				return 0, err
			}
			if t.Number() >= 10 && step == 1 {
				return 0, tuner.ErrPruned
			}
		}
		return v, t.Err()
	}, tuner.Budget{Trials: 12})
	must(err)
	trials, err := s.Trials(ctx)
	must(err)
	return trials
}
