package trainer

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/atomicfile"
	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/schedulers"
)

var (
	// ErrState is wrapped by LoadState's errors about the file itself: not a
	// state file, a version this release cannot read, truncated or corrupt.
	ErrState = errors.New("trainer: unusable training state")
	// ErrStateMismatch is wrapped by LoadState's error when the state was
	// saved by a run configured otherwise (model, loss, optimizer, schedule,
	// batch size, seed, callbacks): the error names what differs.
	ErrStateMismatch = errors.New("trainer: training state from another configuration")
)

// The state file is a fixed header — stateMagic, the format version
// (uint32), the payload's length (uint64) and its CRC-32C (uint32), all big
// endian — followed by the payload, a gob-encoded stateFile.
//
// Why gob: it keeps every float64 and float32 bit for bit, NaN and ±Inf
// included (EarlyStopping's best is NaN before any epoch, a Plateau's ±Inf),
// which JSON cannot; it is compact for weights and moments; and its decoder
// bounds what it allocates by the bytes it has read. The file is a resume
// point for gradtune, not an interchange format (weights go out as
// safetensors). The length and checksum turn a truncated or corrupted file
// into a clear error instead of wrong numbers; the payload is read as it
// arrives, so a header claiming terabytes allocates nothing.
const (
	stateMagic   = "gradtune-state\n"
	stateVersion = 1
	headerLen    = len(stateMagic) + 4 + 8 + 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// stateFile is the whole training state.
type stateFile struct {
	Config    stateConfig
	Params    []savedTensor // the current weights, in Model.Params order
	Optimizer optimizers.State
	Solver    schedulers.SolverState
	Epochs    int       // Trainer.epochs
	Run       *savedRun // the Fit in progress or interrupted; nil between Fits
	Callbacks []savedCallback
}

// savedRun is a fitRun.
type savedRun struct {
	LastEpoch, Rows    int
	Epochs             []savedEpoch
	Monitor            []StepMonitor
	InEpoch            bool
	Done               int
	LossSum, WeightSum float64
	Stats              savedEpoch
	Seconds            float64
}

// savedEpoch is an EpochStats with whether ValMetrics was non-nil, which
// gob does not keep for an empty map.
type savedEpoch struct {
	Stats     EpochStats
	Validated bool
}

// savedCallback is a StatefulCallback's state, by its place in
// Config.Callbacks and its type.
type savedCallback struct {
	Index int
	Type  string
	State []byte
}

// savedTensor is a float32 or float64 tensor's dtype, shape and values.
type savedTensor struct {
	Dtype string
	Shape []int
	F32   []float32
	F64   []float64
}

// StatefulCallback is a Callback whose state SaveState writes and
// LoadState puts back, so that a resumed run decides as the uninterrupted
// one. EarlyStopping, ReduceLROnPlateau and ModelCheckpoint implement it.
// The n-th StatefulCallback of Config.Callbacks gets the n-th saved state,
// of the same type; other callbacks may differ between the runs.
type StatefulCallback interface {
	Callback
	State() ([]byte, error)
	SetState(state []byte) error
}

// SaveState writes the whole training state to w: the weights, the
// optimizer's state (optimizers.Stateful), the schedule's epoch and step
// counts and ScaleLR's scale, the epoch count, the position inside the
// current Fit (its History so far, the epoch under way and how many of its
// batches are done), every StatefulCallback's state, and a fingerprint of
// the configuration. The shuffling and dropout streams need nothing saved:
// they are functions of (Config.Seed, epoch, batch).
//
// It may be called between Fit calls, after a Fit interrupted by its
// context, or from a callback during Fit — at BatchEnd or EpochEnd, where
// it records the callbacks before it in Config.Callbacks as having seen the
// event and those after as not. It returns an error wrapping ErrConfig for
// an optimizer whose state cannot be read (Gorgonia's own solvers), or
// ErrClosed after Close, or the writer's error.
func (t *Trainer) SaveState(w io.Writer) error {
	if err := t.usable(); err != nil {
		return err
	}
	if w == nil {
		return fmt.Errorf("%w: SaveState into a nil io.Writer", ErrConfig)
	}
	sf, err := t.stateFile()
	if err != nil {
		return err
	}
	var payload bytes.Buffer
	if err := gob.NewEncoder(&payload).Encode(sf); err != nil {
		return fmt.Errorf("trainer: SaveState: %w", err)
	}
	head := make([]byte, 0, headerLen)
	head = append(head, stateMagic...)
	head = binary.BigEndian.AppendUint32(head, stateVersion)
	head = binary.BigEndian.AppendUint64(head, uint64(payload.Len()))
	head = binary.BigEndian.AppendUint32(head, crc32.Checksum(payload.Bytes(), castagnoli))
	if _, err := w.Write(head); err != nil {
		return fmt.Errorf("trainer: SaveState: %w", err)
	}
	if _, err := w.Write(payload.Bytes()); err != nil {
		return fmt.Errorf("trainer: SaveState: %w", err)
	}
	return nil
}

// SaveStateFile is SaveState into path, written to a temporary file in the
// same folder, synced and renamed over path, so that path holds either the
// previous state or the new one.
func (t *Trainer) SaveStateFile(path string) error {
	if err := atomicfile.WriteFile(path, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		if err := t.SaveState(bw); err != nil {
			return err
		}
		return bw.Flush()
	}); err != nil {
		return fmt.Errorf("trainer: SaveStateFile %s: %w", path, err)
	}
	return nil
}

// LoadState reads a state written by SaveState and makes it the Trainer's:
// the next Fit goes on from it (resuming the Fit it was saved in, if any)
// exactly as the saved run would have. The Trainer must be made by New
// with the same model architecture, loss, optimizer, schedule, batch size,
// seed and callbacks as the saved one; and the resumed Fit must be given
// the same data (a training set of another size is refused; other data of
// the same size, or no validation set where there was one, is not detected
// and gives a run that is no longer the uninterrupted one).
//
// It returns an error wrapping ErrState for a file that is not a state, of
// another format version, truncated or corrupt; ErrStateMismatch, naming
// every difference, for a state of another configuration; ErrConfig during
// Fit; ErrConfig for a nil r; ErrClosed after Close. On error the Trainer
// is unchanged.
func (t *Trainer) LoadState(r io.Reader) error {
	if err := t.usable(); err != nil {
		return err
	}
	if r == nil {
		return fmt.Errorf("%w: LoadState from a nil io.Reader", ErrConfig)
	}
	if t.fitting {
		return fmt.Errorf("%w: LoadState during Fit", ErrConfig)
	}
	sf, err := readStateFile(r)
	if err != nil {
		return err
	}
	if err := t.fingerprint().diff(sf.Config); err != nil {
		return err
	}
	// Everything that can be checked without changing the Trainer is,
	// first; the rest is undone on failure.
	params, err := t.checkSavedParams(sf.Params)
	if err != nil {
		return err
	}
	run, err := sf.Run.fitRun()
	if err != nil {
		return err
	}
	before, err := t.stateFile()
	if err != nil {
		return err
	}
	if err := t.applyState(sf, params, run); err != nil {
		if rerr := t.applyStateBack(before); rerr != nil {
			return fmt.Errorf("%w (and putting the previous state back: %w)", err, rerr)
		}
		return err
	}
	return nil
}

// LoadStateFile is LoadState from the file at path.
func (t *Trainer) LoadStateFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("trainer: LoadStateFile: %w", err)
	}
	defer f.Close()
	if err := t.LoadState(bufio.NewReader(f)); err != nil {
		return fmt.Errorf("trainer: LoadStateFile %s: %w", path, err)
	}
	return nil
}

// readStateFile reads and checks the header and payload, and decodes it.
func readStateFile(r io.Reader) (*stateFile, error) {
	head := make([]byte, headerLen)
	n, err := io.ReadFull(r, head)
	if m := min(n, len(stateMagic)); string(head[:m]) != stateMagic[:m] || n == 0 && err == io.EOF {
		return nil, fmt.Errorf("%w: not a gradtune training state (no %q header)", ErrState, stateMagic[:len(stateMagic)-1])
	}
	if err != nil {
		return nil, fmt.Errorf("%w: header truncated after %d of %d bytes", ErrState, n, headerLen)
	}
	rest := head[len(stateMagic):]
	if v := binary.BigEndian.Uint32(rest); v != stateVersion {
		return nil, fmt.Errorf("%w: format version %d, this release reads version %d", ErrState, v, stateVersion)
	}
	size, sum := binary.BigEndian.Uint64(rest[4:]), binary.BigEndian.Uint32(rest[12:])
	if size > math.MaxInt64 {
		return nil, fmt.Errorf("%w: payload of %d bytes claimed", ErrState, size)
	}
	// ReadAll grows with what actually arrives: a header claiming terabytes
	// over a small file allocates nothing big.
	payload, err := io.ReadAll(io.LimitReader(r, int64(size)))
	if err != nil {
		return nil, fmt.Errorf("%w: reading the payload: %w", ErrState, err)
	}
	if uint64(len(payload)) != size {
		return nil, fmt.Errorf("%w: truncated: %d of %d payload bytes", ErrState, len(payload), size)
	}
	if got := crc32.Checksum(payload, castagnoli); got != sum {
		return nil, fmt.Errorf("%w: corrupt: payload checksum %08x, header says %08x", ErrState, got, sum)
	}
	var sf stateFile
	err = gerr.Do("trainer: decoding a training state", func() error { return gob.NewDecoder(bytes.NewReader(payload)).Decode(&sf) })
	if err != nil {
		return nil, fmt.Errorf("%w: decoding: %w", ErrState, err)
	}
	return &sf, nil
}

// stateFile gathers the Trainer's state.
func (t *Trainer) stateFile() (*stateFile, error) {
	opt, ok := t.solver.Inner().(optimizers.Stateful)
	if !ok {
		return nil, fmt.Errorf("%w: the optimizer's solver %T cannot save its state (Gorgonia's own solvers cannot): use one of package optimizers",
			ErrConfig, t.solver.Inner())
	}
	sf := &stateFile{
		Config:    t.fingerprint(),
		Optimizer: opt.State(),
		Solver:    t.solver.State(),
		Epochs:    t.epochs,
		Run:       t.run.saved(),
	}
	for _, w := range t.current() {
		sf.Params = append(sf.Params, saveTensor(w.(*tensor.Dense)))
	}
	for i, cb := range t.statefulCallbacks() {
		b, err := cb.State()
		if err != nil {
			return nil, fmt.Errorf("trainer: state of callback %T: %w", cb, err)
		}
		sf.Callbacks = append(sf.Callbacks, savedCallback{Index: i, Type: fmt.Sprintf("%T", cb), State: b})
	}
	return sf, nil
}

// checkSavedParams converts the saved weights, checking them against the
// model's parameters.
func (t *Trainer) checkSavedParams(saved []savedTensor) ([]*tensor.Dense, error) {
	ps := t.m.Params()
	if len(saved) != len(ps) {
		return nil, fmt.Errorf("%w: %d weight tensors for %d parameters", ErrState, len(saved), len(ps))
	}
	out := make([]*tensor.Dense, len(ps))
	for i, s := range saved {
		w, err := s.tensor()
		if err != nil {
			return nil, fmt.Errorf("%w: weights of %s: %w", ErrState, ps[i].Name, err)
		}
		if w.Dtype() != ps[i].Value.Dtype() || !w.Shape().Eq(ps[i].Value.Shape()) {
			return nil, fmt.Errorf("%w: weights of %s are %v %v, the parameter is %v %v",
				ErrState, ps[i].Name, w.Dtype(), w.Shape(), ps[i].Value.Dtype(), ps[i].Value.Shape())
		}
		out[i] = w
	}
	return out, nil
}

// applyState makes sf the Trainer's state.
func (t *Trainer) applyState(sf *stateFile, params []*tensor.Dense, run *fitRun) error {
	if err := t.solver.Inner().(optimizers.Stateful).SetState(sf.Optimizer); err != nil {
		return fmt.Errorf("%w: %w", ErrState, err)
	}
	if err := t.solver.SetState(sf.Solver); err != nil {
		return fmt.Errorf("%w: %w", ErrState, err)
	}
	if sf.Epochs < 0 {
		return fmt.Errorf("%w: epoch count %d", ErrState, sf.Epochs)
	}
	if err := t.setCallbackStates(sf.Callbacks); err != nil {
		return err
	}
	for i, p := range t.m.Params() {
		if err := dense.CopyValues(p.Value, params[i]); err != nil {
			return err
		}
	}
	t.epochs, t.run = sf.Epochs, run
	return nil
}

// applyStateBack puts back a state taken by stateFile before a failed
// applyState.
func (t *Trainer) applyStateBack(sf *stateFile) error {
	params, err := t.checkSavedParams(sf.Params)
	if err != nil {
		return err
	}
	run, err := sf.Run.fitRun()
	if err != nil {
		return err
	}
	return t.applyState(sf, params, run)
}

// statefulCallbacks returns the StatefulCallbacks of Config.Callbacks, in
// order: the n-th one gets the n-th saved state, whatever other callbacks
// (a progress bar, the one that saves) come and go between runs.
func (t *Trainer) statefulCallbacks() []StatefulCallback {
	var out []StatefulCallback
	for _, cb := range t.cfg.Callbacks {
		if sc, ok := cb.(StatefulCallback); ok {
			out = append(out, sc)
		}
	}
	return out
}

// setCallbackStates gives each StatefulCallback its saved state; the
// fingerprint has checked their types and order.
func (t *Trainer) setCallbackStates(saved []savedCallback) error {
	cbs := t.statefulCallbacks()
	if len(saved) != len(cbs) {
		return fmt.Errorf("%w: states of %d callbacks for %d stateful callbacks", ErrState, len(saved), len(cbs))
	}
	for i, s := range saved {
		cb := cbs[i]
		if s.Index != i || fmt.Sprintf("%T", cb) != s.Type {
			return fmt.Errorf("%w: state %d of callback %d (%s) for a %T", ErrState, i, s.Index, s.Type, cb)
		}
		if err := gerr.User(fmt.Sprintf("trainer: %T SetState", cb), func() error { return cb.SetState(s.State) }); err != nil {
			return fmt.Errorf("%w: callback %d (%s): %w", ErrState, i, s.Type, err)
		}
	}
	return nil
}

// saved converts a fitRun (nil for none).
func (r *fitRun) saved() *savedRun {
	if r == nil {
		return nil
	}
	s := &savedRun{LastEpoch: r.lastEpoch, Rows: r.rows, Monitor: r.hist.Monitor, InEpoch: r.inEpoch, Done: r.done,
		LossSum: r.lossSum, WeightSum: r.weightSum, Stats: saveEpoch(r.stats), Seconds: r.seconds}
	for _, e := range r.hist.Epochs {
		s.Epochs = append(s.Epochs, saveEpoch(e))
	}
	return s
}

// fitRun converts back, checking the counters (nil for none).
func (s *savedRun) fitRun() (*fitRun, error) {
	if s == nil {
		return nil, nil
	}
	if s.LastEpoch < 1 || s.Rows < 1 || s.Done < 0 || s.Done > s.Rows {
		return nil, fmt.Errorf("%w: Fit position: last epoch %d, %d rows, %d batches done", ErrState, s.LastEpoch, s.Rows, s.Done)
	}
	r := &fitRun{hist: &History{Monitor: s.Monitor}, lastEpoch: s.LastEpoch, rows: s.Rows, inEpoch: s.InEpoch, done: s.Done,
		lossSum: s.LossSum, weightSum: s.WeightSum, stats: s.Stats.epoch(), seconds: s.Seconds}
	for _, e := range s.Epochs {
		r.hist.Epochs = append(r.hist.Epochs, e.epoch())
	}
	return r, nil
}

func saveEpoch(e EpochStats) savedEpoch { return savedEpoch{Stats: e, Validated: e.ValMetrics != nil} }

func (s savedEpoch) epoch() EpochStats {
	e := s.Stats
	if s.Validated && e.ValMetrics == nil {
		e.ValMetrics = map[string]float64{}
	}
	if !s.Validated {
		e.ValMetrics = nil
	}
	return e
}

// saveTensor copies a float32 or float64 tensor.
func saveTensor(w *tensor.Dense) savedTensor {
	s := savedTensor{Dtype: w.Dtype().String(), Shape: append([]int(nil), w.Shape()...)}
	switch d := w.Data().(type) {
	case []float32:
		s.F32 = append([]float32(nil), d...)
	case []float64:
		s.F64 = append([]float64(nil), d...)
	}
	return s
}

// tensor checks and converts a saved tensor.
func (s savedTensor) tensor() (*tensor.Dense, error) {
	n := 1
	for _, d := range s.Shape {
		if d < 1 || n > math.MaxInt/d {
			return nil, fmt.Errorf("shape %v, want positive sizes", s.Shape)
		}
		n *= d
	}
	var backing any
	switch {
	case s.Dtype == "float32" && len(s.F32) == n && len(s.F64) == 0:
		backing = append([]float32(nil), s.F32...)
	case s.Dtype == "float64" && len(s.F64) == n && len(s.F32) == 0:
		backing = append([]float64(nil), s.F64...)
	default:
		return nil, fmt.Errorf("%s %v with %d float32 and %d float64 values, want float32 or float64 and %d values of it",
			s.Dtype, s.Shape, len(s.F32), len(s.F64), n)
	}
	return tensor.New(tensor.WithShape(s.Shape...), tensor.WithBacking(backing)), nil
}
