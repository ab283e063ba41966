// Package katib exports a gradtune search space as a Kubeflow Katib v1beta1
// Experiment, so that a study can run on a cluster where Katib, not
// gradtune, chooses the trials.
//
// It lives in its own module (github.com/gradtune/gradtune/katib) so that
// the core module never requires Kubernetes packages; the emitter itself
// depends only on sigs.k8s.io/yaml. Its tests read the YAML back with
// Katib's own Go types (github.com/kubeflow/katib v0.19.0).
//
// # The trial contract
//
// Katib starts one batch/v1 Job per trial, running Command followed by one
// flag per parameter, --NAME=VALUE (e.g. --lr=0.003 --layers=2
// --act=relu), where VALUE is Katib's string form of the value: a decimal
// number for double, int and discrete parameters, the choice itself for a
// categorical. The trial prints its results on standard output (or
// standard error) as NAME=VALUE lines, e.g. "loss=0.2314": Katib's StdOut
// collector with its default filter, ([\w|-]+)\s*=\s*([+-]?\d*(\.\d+)?([Ee][+-]?\d+)?),
// reads every match on every line. The objective metric's value is the
// last one printed (strategy "latest"), as a gradtune Objective's value is
// the one it returns; earlier lines are intermediate values. Other lines
// are ignored. Katib runs the command through `sh -c`, redirected into
// its log file, so the image needs /bin/sh: a FROM-scratch or distroless
// image of a static Go binary fails; use busybox or distroless/static:debug.
// The namespace needs the label
// katib.kubeflow.org/metrics-collector-injection=enabled.
package katib

import (
	"errors"
	"fmt"
	"math"
	"regexp"

	"github.com/gradtune/gradtune/tuner"
	"sigs.k8s.io/yaml"
)

// ErrInvalid is wrapped by every error about an Experiment that cannot be
// exported.
var ErrInvalid = errors.New("katib: invalid experiment")

// Algorithm is the name of a Katib suggestion algorithm.
type Algorithm string

// The algorithms Export accepts: those of Katib's default configuration
// that take gradtune's float, int and categorical parameters.
const (
	TPE    Algorithm = "tpe"    // hyperopt's TPE; the default
	Random Algorithm = "random" // hyperopt's random search
	Grid   Algorithm = "grid"   // Optuna's grid; every float needs a Step
)

// Param is one parameter of the search space: the flag name the trial
// takes and the distribution Katib draws it from.
type Param struct {
	Name string
	Dist tuner.Distribution // FloatDist, IntDist or CategoricalDist
}

// Experiment describes a Katib Experiment. The zero values of the optional
// fields mean Katib's or gradtune's defaults, as noted.
type Experiment struct {
	Name      string // Kubernetes name: [a-z]([-a-z0-9]*[a-z0-9])?, at most 40 bytes (Katib's limit)
	Namespace string // optional; kubectl's current namespace when empty

	Metric            string          // objective metric the trial prints, e.g. "loss"
	Direction         tuner.Direction // Minimize when zero (goal.Auto), as in tuner.Config
	Goal              *float64        // optional: Katib stops once the objective reaches it
	AdditionalMetrics []string        // other NAME=VALUE lines Katib should record

	Algorithm Algorithm // TPE when empty
	Params    []Param   // in the order of the trial's flags; at least one

	Image   string   // container image of the trial; must contain /bin/sh
	Command []string // program and fixed arguments; the parameters' flags follow

	ParallelTrials  int // trials at a time; Katib's default (3) when 0
	MaxTrials       int // trials in all; required, except for Grid, where 0 means every grid point
	MaxFailedTrials int // Katib stops after this many failed trials; no limit when 0
}

// PrimaryContainer is the name of the trial Job's container, the one whose
// output the metrics collector reads.
const PrimaryContainer = "training-container"

var (
	k8sName    = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)
	paramName  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)
	metricName = regexp.MustCompile(`^[\w-]+$`) // what the StdOut filter's name group matches
)

// YAML returns the Experiment as a Katib v1beta1 Experiment manifest, ready
// for `kubectl apply -f`. It returns an error wrapping ErrInvalid (and
// tuner.ErrConfig for a bad distribution) naming the first field that is
// missing or that Katib would reject.
func (e Experiment) YAML() ([]byte, error) {
	doc, err := e.manifest()
	if err != nil {
		return nil, err
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("katib: experiment %s: %w", e.Name, err)
	}
	return out, nil
}

func (e Experiment) manifest() (*experiment, error) {
	if err := e.validate(); err != nil {
		return nil, err
	}
	objType := "minimize"
	switch e.Direction {
	case tuner.Minimize, 0:
	case tuner.Maximize:
		objType = "maximize"
	default:
		return nil, fmt.Errorf("%w: Direction = %v, want Minimize or Maximize", ErrInvalid, e.Direction)
	}
	algo := e.Algorithm
	if algo == "" {
		algo = TPE
	}
	params := make([]parameterSpec, len(e.Params))
	trialParams := make([]trialParameterSpec, len(e.Params))
	command := append([]string(nil), e.Command...)
	gridPoints := 1
	for i, p := range e.Params {
		ps, points, err := parameter(p, algo)
		if err != nil {
			return nil, err
		}
		params[i] = ps
		gridPoints = satMul(gridPoints, points)
		trialParams[i] = trialParameterSpec{Name: p.Name, Description: p.Dist.String(), Reference: p.Name}
		command = append(command, "--"+p.Name+"=${trialParameters."+p.Name+"}")
	}
	maxTrials := e.MaxTrials
	if maxTrials == 0 && algo == Grid {
		maxTrials = gridPoints
	}
	if maxTrials <= 0 || maxTrials > math.MaxInt32 {
		return nil, fmt.Errorf("%w: MaxTrials = %d, want 1 to 2^31-1 (0 only with Grid)", ErrInvalid, e.MaxTrials)
	}

	spec := experimentSpec{
		Objective: objectiveSpec{
			Type:                  objType,
			Goal:                  e.Goal,
			ObjectiveMetricName:   e.Metric,
			AdditionalMetricNames: e.AdditionalMetrics,
			MetricStrategies:      []metricStrategy{{Name: e.Metric, Value: "latest"}},
		},
		Algorithm:     algorithmSpec{AlgorithmName: string(algo)},
		Parameters:    params,
		MaxTrialCount: int32(maxTrials),
		TrialTemplate: trialTemplate{
			PrimaryContainerName: PrimaryContainer,
			TrialParameters:      trialParams,
			TrialSpec: jobSpec{
				APIVersion: "batch/v1",
				Kind:       "Job",
				Spec: jobBody{Template: podTemplate{Spec: podSpec{
					Containers:    []container{{Name: PrimaryContainer, Image: e.Image, Command: command}},
					RestartPolicy: "Never",
				}}},
			},
		},
		MetricsCollectorSpec: metricsCollectorSpec{Collector: collectorSpec{Kind: "StdOut"}},
	}
	if e.ParallelTrials > 0 {
		n := int32(e.ParallelTrials)
		spec.ParallelTrialCount = &n
	}
	if e.MaxFailedTrials > 0 {
		n := int32(e.MaxFailedTrials)
		spec.MaxFailedTrialCount = &n
	}
	return &experiment{
		APIVersion: "kubeflow.org/v1beta1",
		Kind:       "Experiment",
		Metadata:   metadata{Name: e.Name, Namespace: e.Namespace},
		Spec:       spec,
	}, nil
}

// validate checks the fields that do not depend on a parameter.
func (e Experiment) validate() error {
	switch {
	case !k8sName.MatchString(e.Name) || len(e.Name) > 40:
		return fmt.Errorf("%w: Name %q, want [a-z]([-a-z0-9]*[a-z0-9])? of at most 40 bytes (Katib's limit)", ErrInvalid, e.Name)
	case e.Namespace != "" && (!k8sName.MatchString(e.Namespace) || len(e.Namespace) > 63):
		return fmt.Errorf("%w: Namespace %q, want a Kubernetes namespace name", ErrInvalid, e.Namespace)
	case !metricName.MatchString(e.Metric):
		return fmt.Errorf("%w: Metric %q, want letters, digits, _ or - (what Katib's StdOut filter reads as a name)", ErrInvalid, e.Metric)
	case e.Goal != nil && (math.IsNaN(*e.Goal) || math.IsInf(*e.Goal, 0)):
		return fmt.Errorf("%w: Goal = %v, want a finite number or nil", ErrInvalid, *e.Goal)
	case e.Algorithm != "" && e.Algorithm != TPE && e.Algorithm != Random && e.Algorithm != Grid:
		return fmt.Errorf("%w: Algorithm %q, want %q, %q or %q", ErrInvalid, e.Algorithm, TPE, Random, Grid)
	case len(e.Params) == 0:
		return fmt.Errorf("%w: no Params, want at least one", ErrInvalid)
	case e.Image == "":
		return fmt.Errorf("%w: no Image, want the trial's container image (with /bin/sh)", ErrInvalid)
	case len(e.Command) == 0 || e.Command[0] == "":
		return fmt.Errorf("%w: no Command, want the trial program (and fixed arguments)", ErrInvalid)
	case e.ParallelTrials < 0 || e.ParallelTrials > math.MaxInt32:
		return fmt.Errorf("%w: ParallelTrials = %d, want ≥ 1 (0 for Katib's default)", ErrInvalid, e.ParallelTrials)
	case e.MaxFailedTrials < 0 || e.MaxFailedTrials > math.MaxInt32:
		return fmt.Errorf("%w: MaxFailedTrials = %d, want ≥ 1 (0 for no limit)", ErrInvalid, e.MaxFailedTrials)
	}
	seen := map[string]bool{e.Metric: true}
	for _, m := range e.AdditionalMetrics {
		if !metricName.MatchString(m) || seen[m] {
			return fmt.Errorf("%w: AdditionalMetrics %q: %q is not a metric name or repeats one (the objective %q included)", ErrInvalid, e.AdditionalMetrics, m, e.Metric)
		}
		seen[m] = true
	}
	names := map[string]bool{}
	for i, p := range e.Params {
		if !paramName.MatchString(p.Name) || names[p.Name] {
			return fmt.Errorf("%w: Params[%d].Name %q, want a new flag name: a letter or _, then letters, digits, _ or -", ErrInvalid, i, p.Name)
		}
		names[p.Name] = true
	}
	return nil
}

func satMul(a, b int) int {
	if a > math.MaxInt32/b {
		return math.MaxInt32 + 1 // over Katib's limit: MaxTrials reports it
	}
	return a * b
}
