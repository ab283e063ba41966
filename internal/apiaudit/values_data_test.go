package apiaudit

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/rdb"
	"github.com/gradtune/gradtune/tuner/sqlite"
)

// Factories for data, datasets, tuner/sqlite and tuner/rdb: a PCG source, a
// postgres:// URL (parsed, never dialled), a float distribution, and
// working SQLite storages, each in a fresh file under the child's working
// folder (its temporary folder) holding study 1 with Running trial 1 (a
// parameter, a step, an attribute) and Waiting trial 2.
func init() {
	one := func(f func() any) func(m mode) (reflect.Value, bool) {
		return func(m mode) (reflect.Value, bool) {
			if m != modeOne {
				return reflect.Value{}, false
			}
			return reflect.ValueOf(f()), true
		}
	}
	factories[typeOf[*rand.PCG]()] = one(func() any { return rand.NewPCG(1, 2) })
	factories[typeOf[*url.URL]()] = func(m mode) (reflect.Value, bool) {
		switch m {
		case modeOne:
			u, err := url.Parse("postgres://user:secret@localhost:5432/studies?sslmode=disable")
			must(err)
			return reflect.ValueOf(u), true
		case modeEmpty:
			return reflect.ValueOf(&url.URL{}), true
		}
		return reflect.Zero(typeOf[*url.URL]()), true
	}
	// The tuner's own audit may register its Distribution; either serves.
	if _, ok := factories[typeOf[tuner.Distribution]()]; !ok {
		factories[typeOf[tuner.Distribution]()] = func(m mode) (reflect.Value, bool) {
			var d tuner.Distribution
			switch m {
			case modeZero:
			case modeOne:
				d = tuner.FloatDist{Low: 0, High: 1}
			default:
				d = fill(typeOf[tuner.FloatDist](), m, 1).Interface().(tuner.FloatDist)
			}
			return reflect.ValueOf(&d).Elem(), true
		}
	}
	factories[typeOf[*sqlite.Storage]()] = one(func() any {
		return seededStore(func(path string) (auditStore, error) { return sqlite.Open(path) })
	})
	factories[typeOf[*rdb.Storage]()] = one(func() any {
		return seededStore(func(path string) (auditStore, error) { return rdb.OpenSQLite(path) })
	})
}

// auditStore is what the storage factories open.
type auditStore interface {
	tuner.Storage
	Path() string
}

// openStores are the storages the factories made for earlier calls, closed
// when the next one is made (calls run one at a time; a call that hangs
// ends the child).
var openStores []auditStore

// seededStore closes the earlier calls' storages, opens a new file with
// open and writes study 1 into it: trial 1 Running with parameter "a" = 0.5
// in [0, 1], step 1 = 0.5 and attribute "a"; trial 2 Waiting.
func seededStore(open func(path string) (auditStore, error)) auditStore {
	for _, st := range openStores {
		// Close on its own goroutine: a storage a hostile call left
		// wedged must not stall the next call.
		go func() {
			st.Close()
			os.RemoveAll(filepath.Dir(st.Path()))
		}()
	}
	openStores = nil
	dir, err := os.MkdirTemp("", "apiaudit-store-") // not the package folder: the last one outlives the process
	must(err)
	st, err := open(filepath.Join(dir, "study.db"))
	must(err)
	openStores = append(openStores, st)
	ctx := context.Background()
	id, _, err := st.GetOrCreateStudy(ctx, "a", []tuner.Direction{tuner.Minimize})
	must(err)
	tr, err := st.CreateTrial(ctx, id, map[string]string{"a": "a"}, nil)
	must(err)
	dist := tuner.FloatDist{Low: 0, High: 1}
	must(st.SetTrialParam(ctx, tr.ID, "a", 0.5, dist))
	must(st.SetTrialIntermediate(ctx, tr.ID, 1, 0.5))
	must(st.EnqueueTrial(ctx, id, map[string]float64{"a": 0.25}, map[string]tuner.Distribution{"a": dist}, nil))
	if id != 1 || tr.ID != 1 {
		panic("apiaudit: a new study file did not number its study and trial 1")
	}
	return st
}

// offlineEnv is the environment the audit's children add to their own, so
// that no call reaches the network or reads outside the audit's temporary
// folders: datasets' MNISTDir and GolearnFile look in GOMODCACHE and
// otherwise run `go mod download`. GOPROXY=off makes that download fail at
// once, offline; GOMODCACHE is a folder of t's holding stand-ins for the two
// modules (tiny MNIST files; a CSV file named "a", the plausible name), so
// that the calls also get through their working path without reading the
// real cache (the real MNIST is 240 MB of floats, over the audit's
// allocation limit for no fault of the code). GOTOOLCHAIN=local keeps the
// go command from fetching a toolchain; GOFLAGS=-modcacherw lets the
// folder be removed whatever the go command writes there. (-mod=mod is not
// needed: the download runs in a folder of its own with its own go.mod and
// forces -mod=mod already.)
func offlineEnv(t *testing.T) []string {
	cache := filepath.Join(t.TempDir(), "gomodcache")
	mnist := filepath.Join(cache, "github.com", "petar", "!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63", "data")
	golearn := filepath.Join(cache, "github.com", "sjwhitworth", "golearn@v0.0.0-20221228163002-74ae077eafb2", "examples", "datasets")
	files := map[string][]byte{
		filepath.Join(golearn, "a"):                        []byte("x,y\n0.5,1\n1.5,0\n"),
		filepath.Join(mnist, "train-images-idx3-ubyte.gz"): gzipped(idxFile(0x803, 2, 2, 2)),
		filepath.Join(mnist, "train-labels-idx1-ubyte.gz"): gzipped(idxFile(0x801, 2)),
		filepath.Join(mnist, "t10k-images-idx3-ubyte"):     idxFile(0x803, 1, 2, 2),
		filepath.Join(mnist, "t10k-labels-idx1-ubyte"):     idxFile(0x801, 1),
	}
	for path, b := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return []string{"GOMODCACHE=" + cache, "GOPROXY=off", "GOSUMDB=off", "GOTOOLCHAIN=local", "GOFLAGS=-modcacherw", "GOWORK=off"}
}

// idxFile is an IDX file of unsigned bytes with magic and dims, its
// values 0, 1, 2, … (mod 10, so that labels are digits).
func idxFile(magic uint32, dims ...uint32) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, magic)
	n := 1
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, d)
		n *= int(d)
	}
	for i := range n {
		b.WriteByte(byte(i % 10))
	}
	return b.Bytes()
}

func gzipped(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}
