package tuner

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// attrOwner records which process runs a trial ("host/pid/token"), so
// that a process reopening a study fails only the trials of processes that
// are gone: not its own (another Study handle in this process may be
// running them), nor those of a live process sharing the storage on this
// machine. The random token tells this process from an earlier one that had
// the same pid (pid 1 in a restarted container).
const attrOwner = "owner"

// thisOwner is this process's owner value.
var thisOwner = func() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%016x", host, os.Getpid(), rand.Uint64())
}()

// ownerAlive reports whether the process that owns a Running trial is
// known to be alive: this process, or another one on this host whose pid
// still exists. An unknown owner (another host, none recorded) counts as
// gone.
func ownerAlive(owner string) bool {
	if owner == thisOwner {
		return true
	}
	parts := strings.Split(owner, "/")
	myHost, _ := os.Hostname()
	if len(parts) != 3 || parts[0] != myHost {
		return false
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return false // our pid with another token: an earlier process
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

// ownerOnThisHost reports whether owner names a process of this host, whose
// liveness ownerAlive can tell.
func ownerOnThisHost(owner string) bool {
	parts := strings.Split(owner, "/")
	myHost, _ := os.Hostname()
	return len(parts) == 3 && parts[0] == myHost
}
