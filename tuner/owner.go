package tuner

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// attrOwner records which process runs a trial ("host/pid"), so that a
// process reopening a study fails only the trials of processes that are
// gone, not those of a live process sharing the storage on this machine.
const attrOwner = "owner"

// thisOwner is this process's owner value.
var thisOwner = func() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}()

// ownerAlive reports whether the process that owns a Running trial is
// known to be alive: on this host, with another pid that still exists. An
// unknown owner (another host, none recorded) counts as gone.
func ownerAlive(owner string) bool {
	host, pidText, ok := strings.Cut(owner, "/")
	myHost, _ := os.Hostname()
	pid, err := strconv.Atoi(pidText)
	if !ok || err != nil || host != myHost || pid == os.Getpid() || pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}
