package katib_test

import (
	"fmt"
	"log"

	"github.com/gradtune/gradtune/katib"
	"github.com/gradtune/gradtune/tuner"
)

// A TPE search over an MLP's learning rate, width and activation, 40 trials,
// four at a time. The trial binary takes --lr=… --hidden=… --act=… and
// prints val_loss=… after each epoch; Katib keeps the last one.
func ExampleExperiment_YAML() {
	exp := katib.Experiment{
		Name:      "mlp-tpe",
		Namespace: "tuning",
		Metric:    "val_loss",
		Direction: tuner.Minimize,
		Params: []katib.Param{
			{Name: "lr", Dist: tuner.FloatDist{Low: 1e-4, High: 0.1, Log: true}},
			{Name: "hidden", Dist: tuner.IntDist{Low: 16, High: 256, Step: 16}},
			{Name: "act", Dist: tuner.CategoricalDist{Choices: []any{"relu", "tanh"}}},
		},
		Image:          "registry.example.com/mlp-trial:1.0",
		Command:        []string{"/app/mlp-trial", "--epochs=20"},
		ParallelTrials: 4,
		MaxTrials:      40,
	}
	out, err := exp.YAML()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(out))
	// Output:
	// apiVersion: kubeflow.org/v1beta1
	// kind: Experiment
	// metadata:
	//   name: mlp-tpe
	//   namespace: tuning
	// spec:
	//   algorithm:
	//     algorithmName: tpe
	//   maxTrialCount: 40
	//   metricsCollectorSpec:
	//     collector:
	//       kind: StdOut
	//   objective:
	//     metricStrategies:
	//     - name: val_loss
	//       value: latest
	//     objectiveMetricName: val_loss
	//     type: minimize
	//   parallelTrialCount: 4
	//   parameters:
	//   - feasibleSpace:
	//       distribution: logUniform
	//       max: "0.1"
	//       min: "0.0001"
	//     name: lr
	//     parameterType: double
	//   - feasibleSpace:
	//       distribution: uniform
	//       max: "256"
	//       min: "16"
	//       step: "16"
	//     name: hidden
	//     parameterType: int
	//   - feasibleSpace:
	//       list:
	//       - relu
	//       - tanh
	//     name: act
	//     parameterType: categorical
	//   trialTemplate:
	//     primaryContainerName: training-container
	//     trialParameters:
	//     - description: float[0.0001, 0.1] log
	//       name: lr
	//       reference: lr
	//     - description: int[16, 256] step 16
	//       name: hidden
	//       reference: hidden
	//     - description: categorical[relu tanh]
	//       name: act
	//       reference: act
	//     trialSpec:
	//       apiVersion: batch/v1
	//       kind: Job
	//       spec:
	//         template:
	//           spec:
	//             containers:
	//             - command:
	//               - /app/mlp-trial
	//               - --epochs=20
	//               - --lr=${trialParameters.lr}
	//               - --hidden=${trialParameters.hidden}
	//               - --act=${trialParameters.act}
	//               image: registry.example.com/mlp-trial:1.0
	//               name: training-container
	//             restartPolicy: Never
}
