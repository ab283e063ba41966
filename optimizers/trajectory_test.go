package optimizers_test

import (
	"fmt"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/golden"
	"github.com/gradtune/gradtune/schedulers"
)

// Every optimizer setting follows torch.optim's 20-step full-batch trajectory
// of a linear model (y = x@W + b, MSE), built and trained the Gorgonia way
// (tape machine, BindDualValues, Step, Reset). The *_lr_switch cases change
// the rate with SetLR before step 11, as torch's param_groups[0]["lr"]: the
// state (moments, buffers, step count) must survive it.
//
// float64 is compared at 1e-9 relative to each element. float32 is compared
// with the float64 golden at 1e-5 relative to the parameter tensor's largest
// |value|: an element that passes near 0 (W and b hold values down to 5e-4
// here) is a difference of O(0.1) terms and carries their absolute float32
// rounding (~4e-8), which is up to 7.5e-5 of the element itself, but below
// 1e-6 of the tensor's scale.
func TestTrajectoriesMatchTorch(t *testing.T) {
	gf := loadGolden(t)
	for _, dt := range []struct {
		dtype    tensor.Dtype
		tol      float64
		perShape bool // floor = the tensor's largest |value|
	}{
		{tensor.Float64, 1e-9, false},
		{tensor.Float32, 1e-5, true},
	} {
		worst, worstAt := 0.0, ""
		for _, c := range gf.Trajectories {
			t.Run(fmt.Sprintf("%v/%s", dt.dtype, c.Name), func(t *testing.T) {
				opt := optimizerFor(t, c.Optimizer, c.Hyper)
				s, err := opt.Solver(c.LRs[0])
				if err != nil {
					t.Fatal(err)
				}
				rs, ok := s.(schedulers.RateSetter)
				if !ok {
					t.Fatalf("%T is not a schedulers.RateSetter", s)
				}
				l := newLinearGraph(t, dt.dtype, gf)
				for step, lr := range c.LRs {
					rs.SetLR(lr)
					loss := l.step(t, s)
					if e := relErr(loss, c.LossBeforeStep[step], 1e-300); e > dt.tol {
						t.Errorf("step %d: loss = %.17g, want %.17g (torch), rel err %.2g", step+1, loss, c.LossBeforeStep[step], e)
					}
					W, b := l.params()
					for _, p := range []struct {
						name      string
						got, want []float64
					}{{"W", W, golden.Flat(c.W[step])}, {"b", b, c.B[step]}} {
						floor := 1e-300
						if dt.perShape {
							for _, v := range p.want {
								floor = max(floor, abs(v))
							}
						}
						for i := range p.want {
							e := relErr(p.got[i], p.want[i], floor)
							if e > worst {
								worst, worstAt = e, fmt.Sprintf("%s step %d %s[%d]", c.Name, step+1, p.name, i)
							}
							if e > dt.tol {
								t.Errorf("step %d: %s[%d] = %.17g, want %.17g (torch), rel err %.2g", step+1, p.name, i, p.got[i], p.want[i], e)
							}
						}
					}
				}
			})
		}
		t.Logf("%v: worst relative error %.3g (%s)", dt.dtype, worst, worstAt)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
