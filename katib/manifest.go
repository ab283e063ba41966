package katib

// The subset of Katib's v1beta1 Experiment that YAML writes, with the JSON
// names of github.com/kubeflow/katib/pkg/apis/controller/experiments/v1beta1
// and .../common/v1beta1 (the tests decode the output with those types,
// strictly, so a misspelt name fails them).

type experiment struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Metadata   metadata       `json:"metadata"`
	Spec       experimentSpec `json:"spec"`
}

type metadata struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

type experimentSpec struct {
	Objective            objectiveSpec        `json:"objective"`
	Algorithm            algorithmSpec        `json:"algorithm"`
	Parameters           []parameterSpec      `json:"parameters"`
	ParallelTrialCount   *int32               `json:"parallelTrialCount,omitempty"`
	MaxTrialCount        int32                `json:"maxTrialCount"`
	MaxFailedTrialCount  *int32               `json:"maxFailedTrialCount,omitempty"`
	MetricsCollectorSpec metricsCollectorSpec `json:"metricsCollectorSpec"`
	TrialTemplate        trialTemplate        `json:"trialTemplate"`
}

type objectiveSpec struct {
	Type                  string           `json:"type"`
	Goal                  *float64         `json:"goal,omitempty"`
	ObjectiveMetricName   string           `json:"objectiveMetricName"`
	AdditionalMetricNames []string         `json:"additionalMetricNames,omitempty"`
	MetricStrategies      []metricStrategy `json:"metricStrategies,omitempty"`
}

type metricStrategy struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type algorithmSpec struct {
	AlgorithmName string `json:"algorithmName"`
}

type parameterSpec struct {
	Name          string        `json:"name"`
	ParameterType string        `json:"parameterType"`
	FeasibleSpace feasibleSpace `json:"feasibleSpace"`
}

type feasibleSpace struct {
	Min          string   `json:"min,omitempty"`
	Max          string   `json:"max,omitempty"`
	Step         string   `json:"step,omitempty"`
	List         []string `json:"list,omitempty"`
	Distribution string   `json:"distribution,omitempty"`
}

type metricsCollectorSpec struct {
	Collector collectorSpec `json:"collector"`
}

type collectorSpec struct {
	Kind string `json:"kind"`
}

type trialTemplate struct {
	PrimaryContainerName string               `json:"primaryContainerName"`
	TrialParameters      []trialParameterSpec `json:"trialParameters"`
	TrialSpec            jobSpec              `json:"trialSpec"`
}

type trialParameterSpec struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Reference   string `json:"reference"`
}

// jobSpec is the batch/v1 Job each trial runs.
type jobSpec struct {
	APIVersion string  `json:"apiVersion"`
	Kind       string  `json:"kind"`
	Spec       jobBody `json:"spec"`
}

type jobBody struct {
	Template podTemplate `json:"template"`
}

type podTemplate struct {
	Spec podSpec `json:"spec"`
}

type podSpec struct {
	Containers    []container `json:"containers"`
	RestartPolicy string      `json:"restartPolicy"`
}

type container struct {
	Name    string   `json:"name"`
	Image   string   `json:"image"`
	Command []string `json:"command"`
}
