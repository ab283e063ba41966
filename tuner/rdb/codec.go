package rdb

import (
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/internal/optunaenum"
	"github.com/gradtune/gradtune/tuner/internal/pyjson"
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
	case typ == "NAN":
		return math.NaN(), nil
	case typ == "INF_POS":
		return math.Inf(1), nil
	case typ == "INF_NEG":
		return math.Inf(-1), nil
	case typ == "FINITE" && value.Valid:
		return value.Float64, nil
	}
	return 0, fmt.Errorf("%w: stored value %v of type %q", tuner.ErrStorage, value, typ)
}

// timeLayout is how SQLAlchemy's DateTime stores Python's naive local
// datetime.now() in SQLite (Optuna's datetime_start and datetime_complete).
const timeLayout = "2006-01-02 15:04:05.000000"

func encodeTime(t time.Time) string { return t.Local().Format(timeLayout) }

func decodeTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	for _, layout := range []string{timeLayout, "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s.String, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: stored datetime %q, want %q", tuner.ErrStorage, s.String, timeLayout)
}

// pyFloat formats f as Python's json.dumps does (repr): shortest digits,
// ".0" on integral values, exponent form below 1e-4 and from 1e16.
var pyFloat = pyjson.Float

// pyString quotes s as Python's json.dumps does (ensure_ascii): non-ASCII
// as \uXXXX, with surrogate pairs above U+FFFF.
func pyString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20 || (r >= 0x7f && r <= 0xffff):
			fmt.Fprintf(&b, `\u%04x`, r)
		case r > 0xffff:
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
