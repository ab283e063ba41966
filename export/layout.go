package export

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/model"
)

// Options choose the names and layout of the exported tensors. The zero
// value keeps gradtune's names and shapes.
type Options struct {
	// Torch writes nn.Linear's layout: 2-D "…/W" weights transposed to
	// (out, in), "…/b" biases of shape (1, n) as (n), names from TorchName
	// (unless Rename is set). Read must be given the same Options.
	Torch bool
	// Rename maps a parameter name to its tensor name; nil keeps the
	// parameter's name (or TorchName's, with Torch). It must map different
	// parameters to different, non-empty names other than "__metadata__".
	Rename func(param string) string
}

// Layout names as written in the file's metadata.
const (
	layoutGradtune = "gradtune"
	layoutTorch    = "torch"
)

func (o Options) layout() string {
	if o.Torch {
		return layoutTorch
	}
	return layoutGradtune
}

// TorchName maps gradtune's parameter names to the state_dict keys of the
// equivalent torch.nn module:
//
//   - "layer<i>/W", "layer<i>/b" (Sequential: layer i is module i, as in
//     torch.nn.Sequential) → "<i>.weight", "<i>.bias";
//   - "dense<i>/W" (MLP: each hidden Linear is followed by its activation,
//     so Linear i is module 2i) → "<2i>.weight", "<2i>.bias";
//   - "linear/W", "linear/b" (Linear, a lone nn.Linear) → "weight", "bias";
//   - any other name has its "/" replaced by "." and a final "W" or "b"
//     spelled "weight" or "bias" ("enc/W" → "enc.weight").
func TorchName(param string) string {
	parts := strings.Split(param, "/")
	last := len(parts) - 1
	switch parts[last] {
	case "W":
		parts[last] = "weight"
	case "b":
		parts[last] = "bias"
	}
	if last > 0 {
		first := parts[0]
		switch {
		case first == "linear":
			parts = parts[1:]
		case strings.HasPrefix(first, "layer"):
			if i, err := strconv.Atoi(first[len("layer"):]); err == nil && i >= 0 {
				parts[0] = strconv.Itoa(i)
			}
		case strings.HasPrefix(first, "dense"):
			if i, err := strconv.Atoi(first[len("dense"):]); err == nil && i >= 0 {
				parts[0] = strconv.Itoa(2 * i)
			}
		}
	}
	return strings.Join(parts, ".")
}

// tensorPlan is where one parameter goes in the file.
type tensorPlan struct {
	param *model.Param
	name  string // the tensor's name in the file
	shape []int  // the tensor's shape in the file
	// transpose is true for a (in, out) weight stored (out, in).
	transpose bool
}

// plan maps every parameter of m to its tensor, checking that names are
// usable and distinct, and that m was made by model.New (which never makes
// a model of fewer than 1 input).
func plan(m *model.Model, opts Options) ([]tensorPlan, error) {
	if m.Inputs() < 1 {
		return nil, fmt.Errorf("export: nil or zero *model.Model, want one made by model.New")
	}
	rename := opts.Rename
	if rename == nil && opts.Torch {
		rename = TorchName
	}
	seen := map[string]string{}
	out := make([]tensorPlan, 0, len(m.Params()))
	for _, p := range m.Params() {
		tp := tensorPlan{param: p, name: p.Name, shape: p.Value.Shape().Clone()}
		if rename != nil {
			name, err := callRename(rename, p.Name)
			if err != nil {
				return nil, err
			}
			tp.name = name
		}
		if tp.name == "" || tp.name == "__metadata__" {
			return nil, fmt.Errorf("export: parameter %s is named %q, want a non-empty name other than __metadata__", p.Name, tp.name)
		}
		if other, ok := seen[tp.name]; ok {
			return nil, fmt.Errorf("export: parameters %s and %s are both named %q", other, p.Name, tp.name)
		}
		seen[tp.name] = p.Name
		if opts.Torch {
			torchShape(&tp)
		}
		out = append(out, tp)
	}
	return out, nil
}

// torchShape gives tp nn.Linear's layout where it applies.
func torchShape(tp *tensorPlan) {
	sh := tp.shape
	switch {
	case strings.HasSuffix(tp.param.Name, "/W") && len(sh) == 2:
		tp.shape = []int{sh[1], sh[0]}
		tp.transpose = true
	case strings.HasSuffix(tp.param.Name, "/b") && len(sh) == 2 && sh[0] == 1:
		tp.shape = []int{sh[1]}
	}
}

// callRename runs a user's Rename; a panic in it is an error wrapping
// panics.ErrUser.
func callRename(rename func(string) string, param string) (string, error) {
	return gerr.Value(fmt.Sprintf("export: Options.Rename(%q)", param), func() (string, error) { return rename(param), nil })
}
