package diagnose

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gradtune/gradtune/trainer"
)

// Explain turns an error returned by trainer.Fit into diagnoses: a
// *DivergedError (ErrDiverged) gives back the Watchdog's Exploding
// diagnosis; trainer.ErrNonFinite becomes an Exploding diagnosis naming the
// epoch and step (batch within the epoch) of the NaN/Inf, the parameter the
// trainer named, the last monitored steps from h (nil allowed) and the fix.
// Any other error, or nil, gives nil.
func Explain(err error, h *trainer.History) []Diagnosis {
	var de *DivergedError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &de):
		return []Diagnosis{de.Diagnosis}
	case errors.Is(err, ErrDiverged):
		return []Diagnosis{{Kind: Exploding, Severity: Error, Where: "unknown step", Evidence: err.Error(),
			Cause: "the loss or the gradient norm grew by a large factor", Fix: lrFix(0)}}
	case errors.Is(err, trainer.ErrNonFinite):
		return []Diagnosis{explainNonFinite(err, h)}
	}
	return nil
}

func explainNonFinite(err error, h *trainer.History) Diagnosis {
	msg := err.Error()
	ms := map[string]float64{}
	where := "unknown step"
	var ev []string
	var nf *trainer.NonFiniteError
	if errors.As(err, &nf) {
		ms["epoch"], ms["batch"], ms["step"] = float64(nf.Epoch), float64(nf.Batch), float64(nf.Step)
		where = fmt.Sprintf("epoch %d, step %d of the epoch", nf.Epoch, nf.Batch)
		if nf.Param != "" {
			where += ", parameter " + nf.Param
			ev = append(ev, nf.Param+" became NaN or infinite")
		}
		if nf.What == "loss" {
			ev = append(ev, fmt.Sprintf("loss = %v, penalty = %v", nf.Loss, nf.Penalty))
		}
	}
	lr, growing := 0.0, false
	if h != nil && len(h.Monitor) > 0 {
		mons := h.Monitor[max(0, len(h.Monitor)-3):]
		var parts []string
		for _, mo := range mons {
			name, g := largestGrad(&mo)
			parts = append(parts, fmt.Sprintf("step %d loss %s, gradient norm %s (largest %s %s)", mo.Step, num(mo.Loss), num(mo.GradNorm), name, num(g)))
		}
		last := mons[len(mons)-1]
		lr = last.LR
		ms["last_monitored_step"], ms["last_grad_norm"], ms["last_loss"] = float64(last.Step), last.GradNorm, last.Loss
		ev = append(ev, "before it: "+strings.Join(parts, "; "))
		growing = len(mons) > 1 && last.GradNorm > mons[0].GradNorm && last.Loss > mons[0].Loss
	} else if last, ok := h.Last(); ok {
		lr = last.LR
	}
	if lr > 0 {
		ms["lr"] = lr
		ev = append(ev, "learning rate "+num(lr))
	}
	if len(ev) == 0 {
		ev = append(ev, msg)
	}
	cause := "a NaN or Inf appeared: most often a learning rate so high that the weights overflow; otherwise a single huge gradient or a numerically unsafe operation (log or division near 0) in a custom network or loss"
	if growing {
		cause = "the learning rate is too high: the loss and the gradient norm grew over the monitored steps until they overflowed"
	}
	return Diagnosis{
		Kind: Exploding, Severity: Error, Where: where,
		Evidence: "training stopped on a non-finite value (trainer.ErrNonFinite): " + strings.Join(ev, "; "),
		Cause:    cause, Fix: lrFix(lr), Measures: ms,
	}
}
