package apiaudit

import (
	"reflect"
	"strings"
)

// exemption returns why c's panic, of value p, is allowed, or "". Two rules.
//
// Go's own convention (as (*bytes.Buffer)(nil).Len() or (*big.Int)(nil).Sign()
// panic): a method of a pointer type that returns no error, called on a nil
// receiver, may panic — it has no way to report the mistake, and every such
// receiver is documented as made by its constructor. A method that returns an
// error must return one on a nil receiver instead.
//
// A contract that demands the panic: see contractPanics.
func exemption(c call, p string) string {
	if prefix, ok := contractPanics[c.name()]; ok && strings.HasPrefix(p, prefix) {
		return "a panic its interface's documented contract requires"
	}
	name := funcName(registry[c.fn])
	ft := reflect.TypeOf(registry[c.fn])
	if !strings.Contains(name, ".(*") || len(c.modes) == 0 || c.modes[0] != modeZero {
		return ""
	}
	if n := ft.NumOut(); n > 0 && ft.Out(n-1) == typeOf[error]() {
		return ""
	}
	return "a method with no error result on a nil receiver"
}

// contractPanics maps the methods whose interface's contract requires a panic
// on bad arguments to the start of the panic values that contract allows; any
// other panic of theirs (an index out of range) is still a finding.
//
// fastblas.Implementation's Sgemm and Dgemm implement gonum's blas.Float32 and
// blas.Float64, through which Gorgonia's BLAS hook calls them
// (gorgonia.BLAS embeds both). Package gonum.org/v1/gonum/blas (doc.go,
// v0.11.0) says: "All methods must perform appropriate parameter checking and
// panic if provided parameters that do not conform to the requirements
// specified by the BLAS standard." The methods have no error result, and
// Gorgonia expects gonum's "blas: …" messages.
var contractPanics = map[string]string{
	"fastblas.Implementation.Sgemm": "blas: ",
	"fastblas.Implementation.Dgemm": "blas: ",
}
