package katib_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/katib"
	"github.com/gradtune/gradtune/tuner"
	common "github.com/kubeflow/katib/pkg/apis/controller/common/v1beta1"
	experiments "github.com/kubeflow/katib/pkg/apis/controller/experiments/v1beta1"
	"github.com/kubeflow/katib/pkg/controller.v1beta1/consts"
	collector "github.com/kubeflow/katib/pkg/metricscollector/v1beta1/common"
	batchv1 "k8s.io/api/batch/v1"
	"sigs.k8s.io/yaml"
)

// decode reads YAML's output with Katib's own types, strictly (an unknown
// or misspelt field fails), as the API server would.
func decode(t *testing.T, e katib.Experiment) *experiments.Experiment {
	t.Helper()
	out, err := e.YAML()
	if err != nil {
		t.Fatal(err)
	}
	var got experiments.Experiment
	if err := yaml.UnmarshalStrict(out, &got); err != nil {
		t.Fatalf("Katib's types reject the YAML: %v\n%s", err, out)
	}
	return &got
}

func ptr[T any](v T) *T { return &v }

func TestYAMLDecodesWithKatibTypes(t *testing.T) {
	goal := 0.95
	got := decode(t, katib.Experiment{
		Name:              "iris-random",
		Namespace:         "kubeflow-user",
		Metric:            "accuracy",
		Direction:         tuner.Maximize,
		Goal:              &goal,
		AdditionalMetrics: []string{"val_loss", "train-loss"},
		Algorithm:         katib.Random,
		Params: []katib.Param{
			{Name: "lr", Dist: tuner.FloatDist{Low: 1e-5, High: 0.3, Log: true}},
			{Name: "dropout", Dist: tuner.FloatDist{Low: 0, High: 0.5, Step: 0.05}},
			{Name: "layers", Dist: tuner.IntDist{Low: 1, High: 4}},
			{Name: "units", Dist: tuner.IntDist{Low: 8, High: 512, Log: true}},
			{Name: "batch_size", Dist: tuner.CategoricalDist{Choices: []any{32, 64, 0.5}}},
			{Name: "bias", Dist: tuner.CategoricalDist{Choices: []any{true, false}}},
			{Name: "opt", Dist: tuner.CategoricalDist{Choices: []any{"adam", "sgd", 3}}},
		},
		Image:           "busybox-trial:2",
		Command:         []string{"/trial"},
		ParallelTrials:  5,
		MaxTrials:       60,
		MaxFailedTrials: 6,
	})

	if got.APIVersion != "kubeflow.org/v1beta1" || got.Kind != "Experiment" || got.Name != "iris-random" || got.Namespace != "kubeflow-user" {
		t.Errorf("header %s %s %s/%s, want kubeflow.org/v1beta1 Experiment kubeflow-user/iris-random", got.APIVersion, got.Kind, got.Namespace, got.Name)
	}
	s := got.Spec
	wantObj := common.ObjectiveSpec{
		Type:                  common.ObjectiveTypeMaximize,
		Goal:                  &goal,
		ObjectiveMetricName:   "accuracy",
		AdditionalMetricNames: []string{"val_loss", "train-loss"},
		MetricStrategies:      []common.MetricStrategy{{Name: "accuracy", Value: common.ExtractByLatest}},
	}
	if !reflect.DeepEqual(s.Objective, &wantObj) {
		t.Errorf("objective %+v, want %+v", s.Objective, wantObj)
	}
	if s.Algorithm == nil || s.Algorithm.AlgorithmName != "random" {
		t.Errorf("algorithm %+v, want random", s.Algorithm)
	}
	if !reflect.DeepEqual(s.ParallelTrialCount, ptr[int32](5)) || !reflect.DeepEqual(s.MaxTrialCount, ptr[int32](60)) || !reflect.DeepEqual(s.MaxFailedTrialCount, ptr[int32](6)) {
		t.Errorf("counts parallel %v max %v failed %v, want 5, 60, 6", s.ParallelTrialCount, s.MaxTrialCount, s.MaxFailedTrialCount)
	}
	if s.MetricsCollectorSpec == nil || s.MetricsCollectorSpec.Collector == nil || s.MetricsCollectorSpec.Collector.Kind != common.StdOutCollector {
		t.Errorf("metrics collector %+v, want StdOut", s.MetricsCollectorSpec)
	}
	wantParams := []experiments.ParameterSpec{
		{Name: "lr", ParameterType: experiments.ParameterTypeDouble, FeasibleSpace: experiments.FeasibleSpace{Min: "1e-05", Max: "0.3", Distribution: experiments.DistributionLogUniform}},
		{Name: "dropout", ParameterType: experiments.ParameterTypeDouble, FeasibleSpace: experiments.FeasibleSpace{Min: "0", Max: "0.5", Step: "0.05", Distribution: experiments.DistributionUniform}},
		{Name: "layers", ParameterType: experiments.ParameterTypeInt, FeasibleSpace: experiments.FeasibleSpace{Min: "1", Max: "4", Distribution: experiments.DistributionUniform}},
		{Name: "units", ParameterType: experiments.ParameterTypeInt, FeasibleSpace: experiments.FeasibleSpace{Min: "8", Max: "512", Distribution: experiments.DistributionLogUniform}},
		{Name: "batch_size", ParameterType: experiments.ParameterTypeDiscrete, FeasibleSpace: experiments.FeasibleSpace{List: []string{"32", "64", "0.5"}}},
		{Name: "bias", ParameterType: experiments.ParameterTypeCategorical, FeasibleSpace: experiments.FeasibleSpace{List: []string{"true", "false"}}},
		{Name: "opt", ParameterType: experiments.ParameterTypeCategorical, FeasibleSpace: experiments.FeasibleSpace{List: []string{"adam", "sgd", "3"}}},
	}
	if !reflect.DeepEqual(s.Parameters, wantParams) {
		t.Errorf("parameters\n%+v\nwant\n%+v", s.Parameters, wantParams)
	}
	// Katib's strings must parse as the numbers they stand for.
	for _, p := range s.Parameters[:4] {
		for _, v := range []string{p.FeasibleSpace.Min, p.FeasibleSpace.Max} {
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				t.Errorf("%s: %q is not a number: %v", p.Name, v, err)
			}
		}
	}

	tt := s.TrialTemplate
	if tt == nil || tt.PrimaryContainerName != katib.PrimaryContainer || tt.TrialSpec == nil || tt.TrialSpec.GetKind() != "Job" || tt.TrialSpec.GetAPIVersion() != "batch/v1" {
		t.Fatalf("trial template %+v, want a batch/v1 Job with primary container %s", tt, katib.PrimaryContainer)
	}
	var names []string
	for i, p := range tt.TrialParameters {
		if p.Name != wantParams[i].Name || p.Reference != wantParams[i].Name || p.Description == "" {
			t.Errorf("trialParameters[%d] = %+v, want name and reference %s and a description", i, p, wantParams[i].Name)
		}
		names = append(names, p.Name)
	}
	if len(names) != len(wantParams) {
		t.Errorf("%d trialParameters, want %d", len(names), len(wantParams))
	}

	// Katib's defaulting recognizes the Job: it fills the conditions the
	// validator requires, and keeps our strategy.
	got.SetDefault()
	if tt.SuccessCondition != experiments.DefaultJobSuccessCondition || tt.FailureCondition != experiments.DefaultJobFailureCondition {
		t.Errorf("after SetDefault conditions %q / %q, want Job's defaults", tt.SuccessCondition, tt.FailureCondition)
	}
	if len(s.Objective.MetricStrategies) != 3 || s.Objective.MetricStrategies[0].Value != common.ExtractByLatest {
		t.Errorf("after SetDefault strategies %+v, want latest for accuracy and defaults for the two others", s.Objective.MetricStrategies)
	}
}

// TestTrialCommandAfterSubstitution does what Katib's controller does for a
// trial (plain replacement of ${trialParameters.NAME}, consts'
// TrialTemplateParamReplaceFormat) and reads the result as a Kubernetes
// Job: every placeholder is replaced, and the command is the trial's flags.
func TestTrialCommandAfterSubstitution(t *testing.T) {
	got := decode(t, katib.Experiment{
		Name:    "sub",
		Metric:  "loss",
		Params:  []katib.Param{{Name: "lr", Dist: tuner.FloatDist{Low: 0.001, High: 1}}, {Name: "act", Dist: tuner.CategoricalDist{Choices: []any{"relu", "gelu"}}}},
		Image:   "trial:1",
		Command: []string{"/bin/trial", "--data=/data/iris.csv"},
		// MaxTrials for TPE (the default algorithm) is required.
		MaxTrials: 10,
	})
	if got.Spec.Algorithm.AlgorithmName != "tpe" || got.Spec.Objective.Type != common.ObjectiveTypeMinimize || got.Spec.ParallelTrialCount != nil {
		t.Errorf("defaults: algorithm %s, type %s, parallel %v; want tpe, minimize, unset (Katib's 3)", got.Spec.Algorithm.AlgorithmName, got.Spec.Objective.Type, got.Spec.ParallelTrialCount)
	}
	spec, err := json.Marshal(got.Spec.TrialTemplate.TrialSpec)
	if err != nil {
		t.Fatal(err)
	}
	assigned := map[string]string{"lr": "0.0123", "act": "gelu"}
	run := string(spec)
	for _, p := range got.Spec.TrialTemplate.TrialParameters {
		run = strings.ReplaceAll(run, "${trialParameters."+p.Name+"}", assigned[p.Reference])
	}
	if left := regexp.MustCompile(consts.TrialTemplateParamReplaceFormatRegex).FindAllString(run, -1); len(left) > 0 {
		t.Fatalf("placeholders left after substitution: %v", left)
	}
	var job batchv1.Job
	if err := yaml.UnmarshalStrict([]byte(run), &job); err != nil {
		t.Fatalf("trial spec is not a batch/v1 Job: %v\n%s", err, run)
	}
	cs := job.Spec.Template.Spec.Containers
	want := []string{"/bin/trial", "--data=/data/iris.csv", "--lr=0.0123", "--act=gelu"}
	if len(cs) != 1 || cs[0].Name != katib.PrimaryContainer || cs[0].Image != "trial:1" || !reflect.DeepEqual(cs[0].Command, want) {
		t.Errorf("containers %+v, want one %s running %q", cs, katib.PrimaryContainer, want)
	}
	if job.Spec.Template.Spec.RestartPolicy != "Never" {
		t.Errorf("restartPolicy %q, want Never (a Job's pod may not restart Always)", job.Spec.Template.Spec.RestartPolicy)
	}
}

func TestGridCountsPoints(t *testing.T) {
	got := decode(t, katib.Experiment{
		Name:      "grid",
		Metric:    "loss",
		Algorithm: katib.Grid,
		Params: []katib.Param{
			{Name: "x", Dist: tuner.FloatDist{Low: 0, High: 1, Step: 0.1}},     // 11 points (1/0.1 = 9.999…)
			{Name: "n", Dist: tuner.IntDist{Low: 1, High: 9, Step: 2}},         // 5
			{Name: "k", Dist: tuner.IntDist{Low: 1, High: 3}},                  // 3
			{Name: "c", Dist: tuner.CategoricalDist{Choices: []any{"a", "b"}}}, // 2
		},
		Image:   "trial:1",
		Command: []string{"/trial"},
	})
	if got.Spec.Algorithm.AlgorithmName != "grid" || got.Spec.MaxTrialCount == nil || *got.Spec.MaxTrialCount != 11*5*3*2 {
		t.Errorf("algorithm %s, maxTrialCount %v; want grid, %d", got.Spec.Algorithm.AlgorithmName, got.Spec.MaxTrialCount, 11*5*3*2)
	}
	steps := []string{}
	for _, p := range got.Spec.Parameters {
		steps = append(steps, p.FeasibleSpace.Step)
	}
	if want := []string{"0.1", "2", "1", ""}; !reflect.DeepEqual(steps, want) {
		t.Errorf("steps %q, want %q (grid gives every int its step)", steps, want)
	}
}

func TestYAMLRejectsBadInput(t *testing.T) {
	good := func() katib.Experiment {
		return katib.Experiment{
			Name: "ok", Metric: "loss", MaxTrials: 5, Image: "i", Command: []string{"/t"},
			Params: []katib.Param{{Name: "lr", Dist: tuner.FloatDist{Low: 0.1, High: 1}}},
		}
	}
	if _, err := good().YAML(); err != nil {
		t.Fatalf("the base case fails: %v", err)
	}
	for _, tc := range []struct {
		what   string
		change func(e *katib.Experiment)
		want   string
		config bool // also wraps tuner.ErrConfig
	}{
		{"upper-case name", func(e *katib.Experiment) { e.Name = "MyExp" }, `Name "MyExp"`, false},
		{"name over 40", func(e *katib.Experiment) { e.Name = strings.Repeat("a", 41) }, "at most 40", false},
		{"bad namespace", func(e *katib.Experiment) { e.Namespace = "a_b" }, "Namespace", false},
		{"no metric", func(e *katib.Experiment) { e.Metric = "" }, "Metric", false},
		{"metric with a space", func(e *katib.Experiment) { e.Metric = "val loss" }, "Metric", false},
		{"NaN goal", func(e *katib.Experiment) { e.Goal = ptr(math.NaN()) }, "Goal", false},
		{"additional repeats objective", func(e *katib.Experiment) { e.AdditionalMetrics = []string{"loss"} }, "AdditionalMetrics", false},
		{"unknown algorithm", func(e *katib.Experiment) { e.Algorithm = "cmaes" }, `Algorithm "cmaes"`, false},
		{"bad direction", func(e *katib.Experiment) { e.Direction = 7 }, "Direction", false},
		{"no params", func(e *katib.Experiment) { e.Params = nil }, "no Params", false},
		{"duplicate param", func(e *katib.Experiment) { e.Params = append(e.Params, e.Params[0]) }, `Params[1].Name "lr"`, false},
		{"param with a dot", func(e *katib.Experiment) { e.Params[0].Name = "opt.lr" }, `Params[0].Name "opt.lr"`, false},
		{"no image", func(e *katib.Experiment) { e.Image = "" }, "Image", false},
		{"no command", func(e *katib.Experiment) { e.Command = nil }, "Command", false},
		{"negative parallel", func(e *katib.Experiment) { e.ParallelTrials = -1 }, "ParallelTrials", false},
		{"no max trials", func(e *katib.Experiment) { e.MaxTrials = 0 }, "MaxTrials", false},
		{"nil dist", func(e *katib.Experiment) { e.Params[0].Dist = nil }, "distribution <nil>", false},
		{"inverted range", func(e *katib.Experiment) { e.Params[0].Dist = tuner.FloatDist{Low: 2, High: 1} }, "parameter lr", true},
		{"no choices", func(e *katib.Experiment) { e.Params[0].Dist = tuner.CategoricalDist{} }, "parameter lr", true},
		{"choice twice as text", func(e *katib.Experiment) {
			e.Params[0].Dist = tuner.CategoricalDist{Choices: []any{1, "1"}}
		}, `choice "1" appears twice`, false},
		{"grid float without step", func(e *katib.Experiment) { e.Algorithm = katib.Grid }, "no Step", false},
		{"grid over Katib's limit", func(e *katib.Experiment) {
			e.Algorithm, e.MaxTrials = katib.Grid, 0
			e.Params = []katib.Param{{Name: "a", Dist: tuner.IntDist{Low: 0, High: 1 << 20}}, {Name: "b", Dist: tuner.IntDist{Low: 0, High: 1 << 20}}}
		}, "MaxTrials", false},
	} {
		e := good()
		tc.change(&e)
		out, err := e.YAML()
		if !errors.Is(err, katib.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want ErrInvalid naming %q", tc.what, err, tc.want)
		}
		if tc.config && !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("%s: err %v does not wrap tuner.ErrConfig", tc.what, err)
		}
		if out != nil {
			t.Errorf("%s: output %q with the error, want none", tc.what, out)
		}
	}
}

// TestWriteMetricMatchesStdOutFilter checks the trial's side of the
// contract with Katib's own default filter: each line WriteMetric writes
// is read back as the same name and the same float64.
func TestWriteMetricMatchesStdOutFilter(t *testing.T) {
	filter := regexp.MustCompile(collector.DefaultFilter)
	for _, v := range []float64{0.25, -3, 0, 1e-12, 6.02214076e23, 123456789, -0.000731, math.SmallestNonzeroFloat64, math.MaxFloat64} {
		for _, name := range []string{"loss", "val-acc", "f1_macro"} {
			var b bytes.Buffer
			if err := katib.WriteMetric(&b, name, v); err != nil {
				t.Fatal(err)
			}
			line := b.String()
			if !strings.HasSuffix(line, "\n") || strings.Count(line, "\n") != 1 {
				t.Errorf("%q: want exactly one line", line)
			}
			m := filter.FindAllStringSubmatch(line, -1)
			if len(m) != 1 || m[0][1] != name {
				t.Errorf("%q: filter matches %q, want one match named %s", line, m, name)
				continue
			}
			got, err := strconv.ParseFloat(m[0][2], 64)
			if err != nil || got != v {
				t.Errorf("%q: filter reads %q = %v (%v), want %v", line, m[0][2], got, err, v)
			}
		}
	}
	for _, tc := range []struct {
		name string
		v    float64
	}{{"loss", math.NaN()}, {"loss", math.Inf(1)}, {"loss", math.Inf(-1)}, {"val loss", 1}, {"", 1}, {"a=b", 1}} {
		var b bytes.Buffer
		if err := katib.WriteMetric(&b, tc.name, tc.v); !errors.Is(err, katib.ErrInvalid) || b.Len() != 0 {
			t.Errorf("WriteMetric(%q, %v): err %v, wrote %q; want ErrInvalid and nothing written", tc.name, tc.v, err, b.String())
		}
	}
}
