package main

import (
	"errors"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles starts the profiles whose file is named ("" = not wanted)
// and returns the function that writes them; read them with go tool pprof.
// Block and mutex profiles record every event (rate 1), which slows a run
// that blocks often: compare rates only between runs without them.
func startProfiles(cpu, block, mutex string) (stop func() error, err error) {
	var cpuFile *os.File
	if cpu != "" {
		if cpuFile, err = os.Create(cpu); err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(cpuFile); err != nil {
			cpuFile.Close()
			return nil, err
		}
	}
	if block != "" {
		runtime.SetBlockProfileRate(1)
	}
	if mutex != "" {
		runtime.SetMutexProfileFraction(1)
	}
	return func() error {
		var errs []error
		if cpuFile != nil {
			pprof.StopCPUProfile()
			errs = append(errs, cpuFile.Close())
		}
		for name, path := range map[string]string{"block": block, "mutex": mutex} {
			if path != "" {
				errs = append(errs, writeProfile(name, path))
			}
		}
		return errors.Join(errs...)
	}, nil
}

func writeProfile(name, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
