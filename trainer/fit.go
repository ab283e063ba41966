package trainer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/schedulers"
)

// Fit trains for Config.Epochs epochs on train, evaluating val (may be nil)
// after every epoch. Calling Fit again continues training where the last
// call stopped: epochs are numbered on (EpochStats.Epoch), and the
// optimizer's state, the schedule's epoch and step counts and the
// ReduceLROnPlateau state carry on. Epoch e visits the rows in
// EpochOrder(Config.Seed, e, n) and draws its dropout masks from a
// generator seeded by (Config.Seed, e, batch), whatever Fit call runs it.
// So, on the same data, Fit of 2 epochs then Fit of 2 more gives the same
// weights and History (EpochStats.Seconds aside), bit for bit, as one Fit
// of 4, unless a callback acts at a Fit's end (EarlyStopping puts back its
// best weights there). The schedule's run-length check counts epochs (or
// steps) from the start of training to the end of the current call, so a
// warm-up must end within the first Fit.
//
// Training starts from the model's parameters as they are when Fit is
// called (so they may be edited or loaded between calls) and leaves the
// trained values in them.
//
// A Fit that ends because ctx was cancelled can be resumed: the next Fit
// call — on the same Trainer, or on a new one after LoadState of a state
// saved then — goes on from the next step of the epoch it stopped in, up to
// the last epoch the interrupted call was asked for (Config.Epochs is then
// not used), and returns the History of the whole call, as if it had never
// been interrupted: the same weights, History (Seconds aside) and callback
// decisions, bit for bit. The same holds for a state saved by SaveState
// from a callback during Fit (at BatchEnd or EpochEnd). Callbacks see a
// resumed Fit's FitStart with Event.Resumed set, and an interrupted one's
// FitEnd with Event.Interrupted set; a callback's error there comes back
// joined to the context's (SaveOnInterrupt saves the state then), as a
// FitEnd callback's error comes back joined to any error Fit ends with.
//
// It returns the History of the completed epochs together with any error:
// a cancelled ctx (wrapping ctx.Err()), bad data (ErrData), or a NaN/Inf
// loss, gradient or updated weight (ErrNonFinite, naming epoch and step;
// that step is undone). In every case the model's parameters are left
// holding the last good weights.
func (t *Trainer) Fit(ctx context.Context, train, val *data.Dataset) (*History, error) {
	hist := &History{}
	if ctx == nil {
		return hist, fmt.Errorf("%w: nil context", ErrConfig)
	}
	tr, err := t.prepare(train, "training")
	if err != nil {
		return hist, err
	}
	var vp *prepared
	if val != nil {
		if vp, err = t.prepare(val, "validation"); err != nil {
			return hist, err
		}
	}
	n := tr.raw.Len()
	batch := min(t.cfg.BatchSize, n)
	run := t.run
	if run != nil {
		if run.rows != n {
			return hist, fmt.Errorf("%w: resuming a Fit that trained on %d rows with %d rows", ErrData, run.rows, n)
		}
		// The resumed Fit returns the whole History of the one it continues,
		// in a copy: the History the interrupted call returned stays as it was.
		hist = run.hist.clone()
		run.hist = hist
	} else {
		run = &fitRun{hist: hist, lastEpoch: t.epochs + t.cfg.Epochs, rows: n}
	}
	if t.train == nil || t.train.Batch != batch {
		t.train.close()
		if t.train, err = buildLossGraph(t.m, &t.cfg, batch, true); err != nil {
			t.train = nil
			return hist, err
		}
		t.train.feedRNG = rand.New(t.dropout)
	}
	if err := t.checkRun(run, n, batch); err != nil {
		return hist, err
	}
	if err := t.loadParams(); err != nil {
		return hist, err
	}
	resumed := t.run != nil
	t.run, t.fitting = run, true
	t.lastEpoch, t.batches = run.lastEpoch, (n+batch-1)/batch
	err = t.emit(ctx, Event{Kind: FitStart, Epoch: t.epochs, Step: t.solver.Steps(), LR: t.solver.LR(), History: hist, Validation: vp != nil, Resumed: resumed})
	if err == nil {
		err = t.epochsLoop(ctx, tr, vp, batch)
	}
	interrupted := err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err())
	// FitEnd runs while the training graph still holds the weights, so a
	// callback (EarlyStopping) can restore the best ones.
	ferr := t.emit(ctx, Event{Kind: FitEnd, Epoch: t.epochs, Step: t.solver.Steps(), LR: t.solver.LR(), History: hist, Err: err,
		Validation: vp != nil, Interrupted: interrupted})
	var stop *stopped
	if errors.As(err, &stop) { // stopped cleanly by a callback
		hist.StoppedBy, err = stop.by, nil
	}
	if errors.As(ferr, &stop) { // ErrStopTraining at FitEnd: nothing is left to stop
		if err == nil && hist.StoppedBy == "" {
			hist.StoppedBy = stop.by
		}
	} else if ferr != nil {
		if err == nil {
			err = ferr
		} else {
			// A callback saving the resume point (SaveOnInterrupt) failed,
			// or one classed the failure (tunertrainer.PruneOnDiagnosis
			// prunes a trial on a NaN): that must not hide behind Fit's
			// error, nor hide it.
			err = errors.Join(err, ferr)
		}
	}
	t.fitting = false
	if !interrupted {
		t.run = nil
	}
	if serr := t.m.SetParamValues(t.train.Learnables); serr != nil && err == nil {
		err = serr
	}
	return hist, err
}

// epochsLoop runs the epochs of t.run up to its last, appending to its
// History; it starts inside an epoch when t.run is. A callback's
// ErrStopTraining comes back as a *stopped error.
func (t *Trainer) epochsLoop(ctx context.Context, tr, vp *prepared, batch int) error {
	r := t.run
	n := tr.raw.Len()
	order := make([]int, n)
	for i := range order {
		order[i] = i // NoShuffle
	}
	defer t.train.prefetch.drop()
	for r.inEpoch || t.epochs < r.lastEpoch {
		start := time.Now()
		if !r.inEpoch {
			t.epochs++
			r.inEpoch, r.done, r.lossSum, r.weightSum, r.seconds = true, 0, 0, 0, 0
			r.stats = EpochStats{Epoch: t.epochs, LR: t.solver.LR(), ValLoss: math.NaN()}
			if err := t.emit(ctx, Event{Kind: EpochStart, Epoch: t.epochs, Step: t.solver.Steps(), LR: r.stats.LR, Validation: vp != nil}); err != nil {
				return err
			}
		}
		stats := &r.stats
		if !t.cfg.NoShuffle {
			fillEpochOrder(order, t.cfg.Seed, t.epochs)
		}
		// The epoch loss weighs each batch's mean by its Σ m·c (its rows, for
		// an unweighted loss), so it is the mean over the epoch's samples.
		bs := batches(order, batch)
		for b := r.done; b < len(bs); b++ {
			idx := bs[b]
			where := func(err error) error {
				return fmt.Errorf("trainer: epoch %d step %d: %w", stats.Epoch, b+1, err)
			}
			if err := ctx.Err(); err != nil {
				return where(err)
			}
			lr := t.solver.LR()
			if err := t.emit(ctx, Event{Kind: BatchStart, Epoch: t.epochs, Batch: b + 1, Step: t.solver.Steps(), LR: lr, Validation: vp != nil}); err != nil {
				return err
			}
			stepNo := t.solver.Steps() + 1
			seedDropout(t.dropout, t.cfg.Seed, t.epochs, b+1)
			var next []int // prefetched while this step updates the weights
			if b+1 < len(bs) {
				next = bs[b+1]
			}
			res, err := t.step(tr, idx, next)
			if err != nil {
				var nf *NonFiniteError
				if errors.As(err, &nf) {
					nf.Epoch, nf.Batch, nf.Step = stats.Epoch, b+1, stepNo
				}
				return where(err)
			}
			r.lossSum += res.loss * res.weight
			r.weightSum += res.weight
			r.done = b + 1
			stats.Penalty = res.penalty
			stats.Steps++
			if res.monitor != nil {
				res.monitor.Epoch, res.monitor.Step, res.monitor.Loss = t.epochs, t.solver.Steps(), res.loss
				r.hist.Monitor = append(r.hist.Monitor, *res.monitor)
			}
			if err := t.emit(ctx, Event{Kind: BatchEnd, Epoch: t.epochs, Batch: b + 1, Step: t.solver.Steps(), Loss: res.loss, RunningLoss: r.lossSum / r.weightSum, LR: lr, Monitor: res.monitor, Validation: vp != nil}); err != nil {
				return err
			}
		}
		stats.TrainLoss = r.lossSum / r.weightSum
		t.solver.EpochEnd()
		if vp != nil {
			var err error
			if stats.ValLoss, stats.ValMetrics, err = t.evaluate(vp); err != nil {
				return fmt.Errorf("trainer: epoch %d validation: %w", stats.Epoch, err)
			}
		}
		stats.Seconds = r.seconds + time.Since(start).Seconds()
		r.inEpoch = false
		r.hist.Epochs = append(r.hist.Epochs, *stats)
		last := &r.hist.Epochs[len(r.hist.Epochs)-1]
		if err := t.emit(ctx, Event{Kind: EpochEnd, Epoch: t.epochs, Step: t.solver.Steps(), LR: stats.LR, Stats: last, History: r.hist, Validation: vp != nil}); err != nil {
			return err
		}
	}
	return nil
}

// stepResult is what one step measured.
type stepResult struct {
	loss, weight, penalty float64      // mean data loss, its weight Σ m·c, the penalty
	monitor               *StepMonitor // on monitored steps
}

// step runs one forward/backward pass on rows idx and applies the update.
// A non-finite loss or gradient aborts before the update, and a non-finite
// updated weight undoes it: the weights stay those from before the step.
// Rows next (nil for none), the following step's, are gathered in the
// background meanwhile.
func (t *Trainer) step(tr *prepared, idx, next []int) (stepResult, error) {
	var r stepResult
	lg := t.train
	if !lg.prefetch.take(&lg.in, idx) {
		lg.in.fill(tr.raw.X, tr.targets, idx)
	}
	if err := lg.run(); err != nil {
		return r, err
	}
	if next != nil && lg.in.x.Shape().TotalSize() >= minPrefetch {
		lg.prefetch.start(tr.raw.X, tr.targets, next)
	}
	loss := dense.Scalar(lg.dataLossVal)
	pen := 0.0
	if lg.penaltyVal != nil {
		pen = dense.Scalar(lg.penaltyVal)
	}
	r.loss, r.weight, r.penalty = loss, dense.Scalar(lg.weightSumVal), pen
	if math.IsNaN(loss+pen) || math.IsInf(loss+pen, 0) {
		return r, &NonFiniteError{What: "loss", Loss: loss, Penalty: pen, LR: t.solver.LR()}
	}
	if err := lg.collectGrads(); err != nil {
		return r, err
	}
	for i, g := range lg.grads {
		if ok, at := dense.AllFinite(g.(tensor.Tensor)); !ok {
			return r, &NonFiniteError{What: "gradient", Param: t.m.Params()[i].Name, Element: at, LR: t.solver.LR()}
		}
	}
	if every := t.cfg.MonitorEvery; every > 0 && t.solver.Steps()%every == 0 {
		r.monitor = t.monitorBefore(len(idx))
	}
	vgs := lg.vgs
	if err := t.clip(vgs); err != nil {
		return r, err
	}
	if err := t.update(vgs); err != nil {
		return r, err
	}
	if r.monitor != nil {
		t.monitorAfter(r.monitor, lg.Learnables)
	}
	return r, nil
}

// checkRun asks the schedule whether it can serve this run: a warm-up or a
// one-cycle longer than the run is an error. The run counts what the
// schedule counts (epochs or steps), from the start of training to the end
// of r (whose current epoch, if any, has r.done of its batches done).
func (t *Trainer) checkRun(r *fitRun, n, batch int) error {
	left, done := r.lastEpoch-t.epochs, 0 // epochs not yet started
	if r.inEpoch {
		left, done = left+1, r.done
	}
	total := t.solver.Epochs() + left
	if t.cfg.ScheduleEvery == schedulers.PerStep {
		total = t.solver.Steps() + left*((n+batch-1)/batch) - done
	}
	if err := schedulers.CheckRun(t.cfg.Schedule, total); err != nil {
		return fmt.Errorf("%w: Schedule: %w", ErrConfig, err)
	}
	return nil
}

// clip applies Config.ClipValue and Config.ClipNorm to the raw gradients.
func (t *Trainer) clip(vgs []G.ValueGrad) error {
	if t.cfg.ClipValue > 0 {
		if err := optimizers.ClipByValue(vgs, t.cfg.ClipValue); err != nil {
			return fmt.Errorf("trainer: clip by value: %w", err)
		}
	}
	if t.cfg.ClipNorm > 0 {
		if _, err := optimizers.ClipByGlobalNorm(vgs, t.cfg.ClipNorm); err != nil {
			return fmt.Errorf("trainer: clip by norm: %w", err)
		}
	}
	return nil
}

// loadParams copies the model's parameters into the training graph.
func (t *Trainer) loadParams() error {
	for i, n := range t.train.Learnables {
		if err := dense.CopyValues(n.Value().(tensor.Tensor), t.m.Params()[i].Value); err != nil {
			return fmt.Errorf("trainer: parameter %s: %w", t.m.Params()[i].Name, err)
		}
	}
	return nil
}

// update runs the solver's step on vgs and undoes it — the weights go back
// to those before it — if it made a weight NaN or Inf. Our solvers save the
// weights and check the new ones in the update's own pass over memory
// (optimizers.SnapshotStepper); others get a copy before and a check after.
func (t *Trainer) update(vgs []G.ValueGrad) error {
	lg := t.train
	t.ensurePrev()
	finite, fused, err := t.solver.StepSnapshot(vgs, t.prev)
	if !fused && err == nil {
		if err = t.snapshot(); err == nil {
			err = t.solver.Step(vgs)
		}
		finite = true
		for _, n := range lg.Learnables {
			if ok, _ := dense.AllFinite(n.Value().(tensor.Tensor)); !ok {
				finite = false
				break
			}
		}
	}
	if err != nil {
		return fmt.Errorf("trainer: solver step: %w", err)
	}
	if finite {
		return nil
	}
	for i, n := range lg.Learnables {
		if ok, at := dense.AllFinite(n.Value().(tensor.Tensor)); !ok {
			if err := t.restore(); err != nil {
				return err
			}
			return &NonFiniteError{What: "update", Param: t.m.Params()[i].Name, Element: at, LR: t.solver.LR()}
		}
	}
	return nil
}

// ensurePrev allocates t.prev, the weights from before the last step.
func (t *Trainer) ensurePrev() {
	if t.prev == nil {
		for _, p := range t.m.Params() {
			t.prev = append(t.prev, p.Value.Clone().(*tensor.Dense))
		}
	}
}

// snapshot copies the training weights into t.prev.
func (t *Trainer) snapshot() error {
	t.ensurePrev()
	for i, n := range t.train.Learnables {
		if err := dense.CopyValues(t.prev[i], n.Value().(tensor.Tensor)); err != nil {
			return err
		}
	}
	return nil
}

// restore copies t.prev back into the training weights.
func (t *Trainer) restore() error {
	for i, n := range t.train.Learnables {
		if err := dense.CopyValues(n.Value().(tensor.Tensor), t.prev[i]); err != nil {
			return err
		}
	}
	return nil
}
