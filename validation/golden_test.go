package validation

import (
	"math"
	"testing"

	"github.com/gradtune/gradtune/internal/golden"
)

// sklearnFile mirrors testdata/sklearn/validation.json, written by
// testdata/sklearn/gen_validation.py with scikit-learn 1.2.
type sklearnFile struct {
	Generator struct {
		Script, Sklearn, Numpy, Python string
	}
	KFold []struct {
		Name             string
		N, K             int
		Folds            []Fold
		Error            *string
		ShuffledValSizes []int `json:"shuffled_val_sizes"`
	}
	StratifiedKFold []struct {
		Name                   string
		Labels                 []int
		K                      int
		Classes                []int
		Folds                  []Fold
		Warnings               []string
		Error                  *string
		ShuffledValClassCounts [][]int `json:"shuffled_val_class_counts"`
	} `json:"stratified_kfold"`
	StratifiedSplit []struct {
		Name     string
		Labels   []int
		TestFrac float64 `json:"test_frac"`
		Classes  []int
		// Outcomes are the distinct [train counts, test counts] per class
		// (ascending class order) over random_state 0..199.
		Outcomes [][][]int
		Error    *string
		NTrain   int `json:"n_train"`
		NTest    int `json:"n_test"`
	} `json:"stratified_split"`
	TrainValTest []struct {
		Name     string
		Labels   []int
		ValFrac  float64 `json:"val_frac"`
		TestFrac float64 `json:"test_frac"`
		Classes  []int
		// Outcomes are the distinct [train, val, test] per-class counts.
		Outcomes [][][]int
	} `json:"train_val_test"`
	Standardizer struct {
		X, X2            [][]float64
		Mean, Var, Scale []float64
		TransformX       [][]float64 `json:"transform_x"`
		TransformX2      [][]float64 `json:"transform_x2"`
		Float32          struct {
			X           [][]float64
			Mean, Scale []float64
			TransformX  [][]float64 `json:"transform_x"`
		}
	}
	CrossValidation struct {
		X            [][]float64
		Labels       []int
		K            int
		Folds        []Fold
		Raw          sklearnScores
		Standardized sklearnScores
		FoldScalers  []struct{ Mean, Scale []float64 } `json:"fold_scalers"`
	} `json:"cross_validation"`
}

type sklearnScores struct {
	Scores    []float64
	Mean, Std float64
}

func loadSklearn(t *testing.T) *sklearnFile {
	t.Helper()
	var f sklearnFile
	// golden.Read resolves names against testdata/torch.
	golden.ReadTestdata(t, "sklearn/validation.json", &f)
	if f.Generator.Script != "testdata/sklearn/gen_validation.py" || f.Generator.Sklearn == "" {
		t.Fatalf("validation.json: unexpected generator %+v", f.Generator)
	}
	return &f
}

// relErr is |got − want| / max(|want|, floor): a relative error that stays
// meaningful for values near 0 (which standardized data has plenty of).
func relErr(got, want, floor float64) float64 {
	return math.Abs(got-want) / math.Max(math.Abs(want), floor)
}

// classCounts counts, for each class in classes, the rows idx whose label is it.
func classCounts(labels, idx, classes []int) []int {
	pos := make(map[int]int, len(classes))
	for k, c := range classes {
		pos[c] = k
	}
	out := make([]int, len(classes))
	for _, i := range idx {
		out[pos[labels[i]]]++
	}
	return out
}
