package losses

import (
	"testing"

	"github.com/gradtune/gradtune/internal/golden"
)

// Every loss × reduction × dtype against torch.nn.functional (gen_losses.py).
func TestMatchesTorch(t *testing.T) {
	for _, c := range loadCases(t) {
		for _, red := range reductions {
			want, ok := c.Reductions[red.name]
			if !ok {
				t.Fatalf("%s/%s: no %s reduction in losses.json", c.Loss, c.Name, red.name)
			}
			for _, d := range dtypeTols {
				t.Run(c.Loss+"/"+c.Name+"/"+red.name+"/"+d.dt.String(), func(t *testing.T) {
					got := eval(t, c.loss(t), c, red.r, d.dt)
					d.tol.check(t, "value", got.value, want.Value)
					d.tol.check(t, "grad", got.grad, golden.Flat(want.Grad))
				})
			}
		}
	}
}
