package trainer

import "fmt"

// NonFiniteError says where training met a NaN or an Inf. It wraps
// ErrNonFinite; get it with errors.As to locate the failure.
type NonFiniteError struct {
	Epoch int // 1-based epoch
	Batch int // 1-based batch within the epoch
	Step  int // 1-based optimizer step since training began (the one not applied)
	// What is "loss" (the loss or penalty), "gradient" (a raw gradient) or
	// "update" (the weights after the optimizer's step, which was undone).
	What  string
	Param string // the parameter, for "gradient" and "update"
	// Element is the flat index of the first bad value in Param.
	Element       int
	Loss, Penalty float64 // for "loss"
	LR            float64 // the step's learning rate
}

func (e *NonFiniteError) Error() string {
	var what string
	switch e.What {
	case "loss":
		what = fmt.Sprintf("loss = %v, penalty = %v; weights kept from before this step", e.Loss, e.Penalty)
	case "gradient":
		what = fmt.Sprintf("gradient of %s is not finite at element %d; weights kept from before this step", e.Param, e.Element)
	default:
		what = fmt.Sprintf("the update made %s non-finite at element %d (lr %g too high?); step undone", e.Param, e.Element, e.LR)
	}
	return fmt.Sprintf("%v: %s", ErrNonFinite, what)
}

// Unwrap returns ErrNonFinite.
func (e *NonFiniteError) Unwrap() error { return ErrNonFinite }
