package export_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"

	"github.com/gradtune/gradtune/export"
	"github.com/gradtune/gradtune/model"
)

// Export a model's weights with a model card, then load them into a fresh
// model of the same architecture.
func Example() {
	net := model.MLP{Hidden: []int{16}, Out: 3}
	m, err := model.New(net, model.Config{Inputs: 4, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	// ... train m ...

	dir, err := os.MkdirTemp("", "iris-mlp")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	card := export.Card{
		Name:            "iris-mlp",
		Architecture:    export.Architecture{Description: "4-16-3 ReLU MLP"},
		Hyperparameters: map[string]any{"optimizer": "adam", "lr": 0.01, "epochs": 50},
		Data:            export.Data{Name: "iris", TrainSamples: 120, TestSamples: 30},
		Metrics:         map[string]float64{"test_accuracy": 0.967},
	}
	// Torch: the layout of torch.nn.Sequential(Linear(4, 16), ReLU(), Linear(16, 3)).
	if err := export.Save(dir, m, card, export.Options{Torch: true}); err != nil {
		log.Fatal(err)
	}

	other, err := model.New(net, model.Config{Inputs: 4, Seed: 2}) // other weights
	if err != nil {
		log.Fatal(err)
	}
	loaded, err := export.Load(dir, other, export.Options{Torch: true})
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range loaded.Architecture.Tensors {
		fmt.Printf("%s → %s %v\n", t.Param, t.Tensor, t.Shape)
	}
	same := slices.Equal(m.Params()[0].Value.Data().([]float32), other.Params()[0].Value.Data().([]float32))
	fmt.Println("parameters:", loaded.Architecture.Parameters, "same weights:", same)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fmt.Println(filepath.Join("dir", e.Name()))
	}
	// Output:
	// dense0/W → 0.weight [16 4]
	// dense0/b → 0.bias [16]
	// dense1/W → 2.weight [3 16]
	// dense1/b → 2.bias [3]
	// parameters: 131 same weights: true
	// dir/model.safetensors
	// dir/model_card.json
}
