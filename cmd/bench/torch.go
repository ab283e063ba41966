package main

import (
	"bufio"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"

	"github.com/gradtune/gradtune/datasets"
)

//go:embed torch_peer.py
var torchPeerScript string

// torchPeer is a running torch_peer.py: one job name in, one JSON line out.
type torchPeer struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	out     *bufio.Scanner
	version string
}

type torchResult struct {
	SamplesPerS float64 `json:"samples_per_s"`
	StepSeconds float64 `json:"step_seconds"`
	MaxRSSKiB   int64   `json:"maxrss_kib"`
	Torch       string  `json:"torch"`
}

// startTorch starts the peer, or says why it cannot (no python, no torch).
func startTorch(python string) (*torchPeer, error) {
	if python == "" {
		return nil, errors.New("-python is empty")
	}
	if err := exec.Command(python, "-c", "import torch").Run(); err != nil {
		return nil, fmt.Errorf("%s cannot import torch (apt-get install python3-torch): %v", python, err)
	}
	dir, err := datasets.MNISTDir()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(python, "-c", torchPeerScript, dir)
	// One thread everywhere: torch.set_num_threads alone does not reach
	// Debian's OpenBLAS pool, whose second thread slows these GEMMs 3×.
	// And PyTorch at its best: glibc serves torch's 1 MB temporaries (Adam
	// allocates several per step) with fresh mmaps, whose page faults made
	// its epoch 3× slower here (15k samples/s instead of 49k); keeping
	// freed memory in the heap removes that.
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS=1", "OPENBLAS_NUM_THREADS=1", "MKL_NUM_THREADS=1",
		"MALLOC_MMAP_THRESHOLD_=1000000000", "MALLOC_TRIM_THRESHOLD_=1000000000", "MALLOC_TOP_PAD_=100000000")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &torchPeer{cmd: cmd, in: in, out: bufio.NewScanner(out)}
	res, err := p.run("linreg") // warms torch up and reads its version
	if err != nil {
		p.close()
		return nil, err
	}
	p.version = res.Torch
	return p, nil
}

func (p *torchPeer) run(job string) (torchResult, error) {
	var res torchResult
	if _, err := fmt.Fprintln(p.in, job); err != nil {
		return res, fmt.Errorf("PyTorch peer: %w", err)
	}
	if !p.out.Scan() {
		return res, fmt.Errorf("PyTorch peer ended: %v", p.out.Err())
	}
	if err := json.Unmarshal(p.out.Bytes(), &res); err != nil {
		return res, fmt.Errorf("PyTorch peer said %q: %w", p.out.Text(), err)
	}
	return res, nil
}

func (p *torchPeer) close() {
	p.in.Close()
	p.cmd.Wait()
}
