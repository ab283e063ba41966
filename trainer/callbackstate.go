package trainer

import (
	"bytes"
	"encoding/gob"
	"fmt"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/schedulers"
)

// encodeState gob-encodes a callback's state.
func encodeState(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// decodeState decodes what encodeState wrote into v.
func decodeState(b []byte, v any) error {
	return gerr.Do("trainer: decoding a callback state", func() error { return gob.NewDecoder(bytes.NewReader(b)).Decode(v) })
}

// earlyStoppingState is EarlyStopping's state.
type earlyStoppingState struct {
	Best                    float64
	BestEpoch, StoppedEpoch int
	Dir                     goal.Direction
	Wait                    int
	BestWeights             []savedTensor
}

// State implements StatefulCallback: the best value, its epoch and
// weights, and the epochs waited since. On a nil c it returns an error
// wrapping ErrConfig.
func (c *EarlyStopping) State() ([]byte, error) {
	if c == nil {
		return nil, errNilCallback("EarlyStopping", "State")
	}
	s := earlyStoppingState{Best: c.Best, BestEpoch: c.BestEpoch, StoppedEpoch: c.StoppedEpoch, Dir: c.dir, Wait: c.wait}
	for _, w := range c.bestWeights {
		s.BestWeights = append(s.BestWeights, saveTensor(w))
	}
	return encodeState(s)
}

// SetState implements StatefulCallback. On a nil c it returns an error
// wrapping ErrConfig.
func (c *EarlyStopping) SetState(b []byte) error {
	if c == nil {
		return errNilCallback("EarlyStopping", "SetState")
	}
	var s earlyStoppingState
	if err := decodeState(b, &s); err != nil {
		return err
	}
	if s.Wait < 0 || s.BestEpoch < 0 || s.StoppedEpoch < 0 || s.Dir.Validate() != nil {
		return fmt.Errorf("EarlyStopping state: wait %d, best epoch %d, stopped epoch %d, direction %v", s.Wait, s.BestEpoch, s.StoppedEpoch, s.Dir)
	}
	var ws []*tensor.Dense
	for i, st := range s.BestWeights {
		w, err := st.tensor()
		if err != nil {
			return fmt.Errorf("EarlyStopping best weights %d: %w", i, err)
		}
		ws = append(ws, w)
	}
	c.Best, c.BestEpoch, c.StoppedEpoch, c.dir, c.wait, c.bestWeights = s.Best, s.BestEpoch, s.StoppedEpoch, s.Dir, s.Wait, ws
	return nil
}

// plateauCallbackState is ReduceLROnPlateau's state.
type plateauCallbackState struct {
	Made    bool           // the Plateau exists (after the first FitStart)
	Mode    goal.Direction // its resolved mode
	Plateau schedulers.PlateauState
}

// State implements StatefulCallback: the plateau's best value, bad epochs,
// cooldown and scale. On a nil c it returns an error wrapping ErrConfig.
func (c *ReduceLROnPlateau) State() ([]byte, error) {
	if c == nil {
		return nil, errNilCallback("ReduceLROnPlateau", "State")
	}
	var s plateauCallbackState
	if c.plateau != nil {
		s = plateauCallbackState{Made: true, Mode: c.plateau.Config().Mode, Plateau: c.plateau.State()}
	}
	return encodeState(s)
}

// SetState implements StatefulCallback. On a nil c it returns an error
// wrapping ErrConfig.
func (c *ReduceLROnPlateau) SetState(b []byte) error {
	if c == nil {
		return errNilCallback("ReduceLROnPlateau", "SetState")
	}
	var s plateauCallbackState
	if err := decodeState(b, &s); err != nil {
		return err
	}
	if !s.Made {
		c.plateau = nil
		return nil
	}
	cfg := c.Config
	cfg.Mode = s.Mode
	p, err := schedulers.NewPlateau(cfg)
	if err != nil {
		return err
	}
	if err := p.SetState(s.Plateau); err != nil {
		return err
	}
	c.plateau = p
	return nil
}

var (
	_ StatefulCallback = (*EarlyStopping)(nil)
	_ StatefulCallback = (*ReduceLROnPlateau)(nil)
	_ StatefulCallback = (*ModelCheckpoint)(nil)
)
