package apiaudit

import (
	"reflect"
	"strings"
)

// exemption returns why c's panic is allowed, or "". One rule, Go's own
// convention (as (*bytes.Buffer)(nil).Len() or (*big.Int)(nil).Sign()
// panic): a method of a pointer type that returns no error, called on a nil
// receiver, may panic — it has no way to report the mistake, and every such
// receiver is documented as made by its constructor. A method that returns an
// error must return one on a nil receiver instead.
func exemption(c call) string {
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
