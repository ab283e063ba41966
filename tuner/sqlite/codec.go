package sqlite

import (
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/internal/optunaenum"
)

// Optuna's stored names and value split, shared with the other storage
// that follows Optuna's layout.
var (
	stateName      = optunaenum.StateName
	parseState     = optunaenum.ParseState
	directionName  = optunaenum.DirectionName
	parseDirection = optunaenum.ParseDirection
	encodeValue    = optunaenum.EncodeValue
)

// decodeValue inverts encodeValue.
func decodeValue(value sql.NullFloat64, typ string) (float64, error) {
	switch {
	case typ == "NAN" && !value.Valid:
		return math.NaN(), nil
	case typ == "INF_POS" && !value.Valid:
		return math.Inf(1), nil
	case typ == "INF_NEG" && !value.Valid:
		return math.Inf(-1), nil
	case typ == "FINITE" && value.Valid:
		return value.Float64, nil
	}
	return 0, fmt.Errorf("%w: stored value %v of type %q", tuner.ErrStorage, value, typ)
}

// The datetime columns hold Unix nanoseconds; NULL is the zero time.
func encodeTime(t time.Time) int64 { return t.UnixNano() }

func decodeTime(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64)
}
