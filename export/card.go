package export

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/gradtune/gradtune/model"
)

// File names that Save writes into its folder.
const (
	WeightsFile = "model.safetensors"
	CardFile    = "model_card.json"
)

// CardFormat is the version of the model card's JSON layout.
const CardFormat = "gradtune-model-card/1"

// Card describes exported weights, in the spirit of Mitchell et al., "Model
// Cards for Model Reporting" (2019): what the model is, how it was trained,
// on what, and how well it did. NewCard fills what gradtune knows
// (Architecture); the user fills the rest. Save writes it as JSON beside
// the weights.
type Card struct {
	Format       string       `json:"format"` // CardFormat; set by Save
	Name         string       `json:"name,omitempty"`
	Description  string       `json:"description,omitempty"`
	Architecture Architecture `json:"architecture"` // set by Save from the model, but for its Description
	Weights      Weights      `json:"weights"`      // set by Save
	// Hyperparameters are the training settings, by name ("lr": 0.001,
	// "optimizer": "adam"); values must be JSON-encodable (no NaN).
	Hyperparameters map[string]any `json:"hyperparameters,omitempty"`
	Data            Data           `json:"data"`
	// Metrics are final scores by name ("test_accuracy": 0.978); NaN and
	// ±Inf have no JSON form and are an error from Save.
	Metrics map[string]float64 `json:"metrics,omitempty"`
}

// Architecture is the model's structure as gradtune sees it.
type Architecture struct {
	// Description is the user's words ("784-256-128-10 ReLU MLP").
	Description string `json:"description,omitempty"`
	Inputs      int    `json:"inputs"`
	Outputs     int    `json:"outputs"`
	Dtype       string `json:"dtype"` // "float32" or "float64"
	// Parameters is the number of learnable values.
	Parameters int           `json:"parameters"`
	Tensors    []TensorEntry `json:"tensors"`
}

// TensorEntry is one parameter and the tensor it was exported as.
type TensorEntry struct {
	Param  string `json:"param"`  // the model's name, e.g. "dense0/W"
	Tensor string `json:"tensor"` // the file's name, e.g. "0.weight"
	Shape  []int  `json:"shape"`  // the file's shape
}

// Weights says where and how the weights were written.
type Weights struct {
	File   string `json:"file"`   // relative to the card's folder
	Format string `json:"format"` // "safetensors"
	Layout string `json:"layout"` // "gradtune" or "torch" (Options.Torch)
}

// Data describes the training data.
type Data struct {
	Name              string `json:"name,omitempty"`
	Source            string `json:"source,omitempty"` // a URL or module path
	Description       string `json:"description,omitempty"`
	TrainSamples      int    `json:"train_samples,omitempty"`
	ValidationSamples int    `json:"validation_samples,omitempty"`
	TestSamples       int    `json:"test_samples,omitempty"`
}

// NewCard returns a card with m's Architecture filled in, the tensors named
// as with the zero Options.
func NewCard(m *model.Model) (Card, error) {
	plans, err := plan(m, Options{})
	if err != nil {
		return Card{}, err
	}
	return Card{Format: CardFormat, Architecture: describe(m, plans)}, nil
}

func describe(m *model.Model, plans []tensorPlan) Architecture {
	a := Architecture{Inputs: m.Inputs(), Outputs: m.Outputs(), Dtype: m.Dtype().String()}
	for _, tp := range plans {
		a.Parameters += tp.param.Value.Shape().TotalSize()
		a.Tensors = append(a.Tensors, TensorEntry{Param: tp.param.Name, Tensor: tp.name, Shape: slices.Clone(tp.shape)})
	}
	return a
}

// Save writes m's weights (WriteFile, to dir/WeightsFile) and card (to
// dir/CardFile, with Format, Architecture but for its Description, and
// Weights filled in), creating dir if needed. Each file is written
// atomically; the weights go first, so a card is never newer than its
// weights.
func Save(dir string, m *model.Model, card Card, opts Options) error {
	plans, err := plan(m, opts)
	if err != nil {
		return err
	}
	desc := card.Architecture.Description
	card.Format = CardFormat
	card.Architecture = describe(m, plans)
	card.Architecture.Description = desc
	card.Weights = Weights{File: WeightsFile, Format: "safetensors", Layout: opts.layout()}
	for name, v := range card.Metrics {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("export: model card metric %q is %v, which JSON cannot hold", name, v)
		}
	}
	js, err := json.MarshalIndent(card, "", "  ")
	if err != nil {
		return fmt.Errorf("export: model card: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := WriteFile(filepath.Join(dir, WeightsFile), m, opts); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, CardFile), func(w io.Writer) error {
		_, err := w.Write(append(js, '\n'))
		return err
	})
}

// Load reads a folder written by Save: the card, then the weights into m
// (ReadFile, all or nothing). A card of another format is an error wrapping
// ErrFormat; opts must be those Save was given (the card's Weights.Layout
// says whether Torch was set).
func Load(dir string, m *model.Model, opts Options) (Card, error) {
	card, err := ReadCard(filepath.Join(dir, CardFile))
	if err != nil {
		return Card{}, err
	}
	if err := ReadFile(filepath.Join(dir, WeightsFile), m, opts); err != nil {
		return Card{}, err
	}
	return card, nil
}

// ReadCard reads a model card written by Save.
func ReadCard(path string) (Card, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Card{}, fmt.Errorf("export: %w", err)
	}
	var card Card
	if err := json.Unmarshal(b, &card); err != nil {
		return Card{}, fmt.Errorf("%w: model card %s: %w", ErrFormat, path, err)
	}
	if card.Format != CardFormat {
		return Card{}, fmt.Errorf("%w: model card %s has format %q, want %q", ErrFormat, path, card.Format, CardFormat)
	}
	return card, nil
}
