package apiaudit

import (
	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/datasets"
	"github.com/gradtune/gradtune/tuner/rdb"
	"github.com/gradtune/gradtune/tuner/sqlite"
)

// The data packages and the SQLite-backed tuner storages. The audit child
// runs them offline (see offlineEnv): no call reaches the module proxy or
// reads the real module cache.
func init() {
	auditedPackages = append(auditedPackages, "data", "datasets", "tuner/sqlite", "tuner/rdb")
	registry = append(registry,
		(*data.Dataset).AsType,
		(*data.Dataset).Dtype,
		(*data.Dataset).Features,
		(*data.Dataset).Labels,
		(*data.Dataset).Len,
		(*data.Dataset).Split,
		(*data.Dataset).Subset,
		(*data.Dataset).Targets,
		data.FromLabels,
		data.FromRows,
		data.IDXLimits.ReadImages,
		data.IDXLimits.ReadLabels,
		data.LoadCSV,
		data.LoadCSVClasses,
		data.LoadCSVFile,
		data.LoadMNIST,
		data.New,
		data.ReadIDXImages,
		data.ReadIDXLabels,
		data.Shuffle,

		datasets.GolearnFile,
		datasets.MNIST,
		datasets.MNISTDir,

		(*sqlite.Storage).Close,
		(*sqlite.Storage).CreateTrial,
		(*sqlite.Storage).EnqueueTrial,
		(*sqlite.Storage).FinishTrial,
		(*sqlite.Storage).GetOrCreateStudy,
		(*sqlite.Storage).Path,
		(*sqlite.Storage).SetTrialAttr,
		(*sqlite.Storage).SetTrialIntermediate,
		(*sqlite.Storage).SetTrialParam,
		(*sqlite.Storage).Trials,
		sqlite.Open,

		(*rdb.Storage).Close,
		(*rdb.Storage).CreateTrial,
		(*rdb.Storage).EnqueueTrial,
		(*rdb.Storage).FailStaleTrials,
		(*rdb.Storage).FinishTrial,
		(*rdb.Storage).GetOrCreateStudy,
		(*rdb.Storage).OptunaStorageURL,
		(*rdb.Storage).Path,
		(*rdb.Storage).RecordHeartbeat,
		(*rdb.Storage).SetTrialAttr,
		(*rdb.Storage).SetTrialIntermediate,
		(*rdb.Storage).SetTrialParam,
		(*rdb.Storage).StudyDirections,
		(*rdb.Storage).Trials,
		rdb.MarshalDistribution,
		rdb.Open,
		rdb.OpenPostgres,
		rdb.OpenSQLite,
		rdb.OptunaURL,
		rdb.SQLitePath,
		rdb.UnmarshalDistribution,
	)
}
