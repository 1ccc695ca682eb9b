//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package gen

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// lockWait is how long a run waits for another that is writing the same
// output folder.
var lockWait = 30 * time.Second

// lock takes an exclusive lock on DIR/.eksiam.lock, waiting up to
// lockWait for a run that holds it. The lock goes with the process, so a
// killed run never leaves it held; the file itself stays, empty.
func lock(dir string) (func(), error) {
	path := filepath.Join(dir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	deadline := time.Now().Add(lockWait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) || time.Now().After(deadline) {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, fmt.Errorf("another eksiam generate is writing %s (it holds %s); waited %s for it", dir, path, lockWait)
			}
			return nil, fmt.Errorf("locking %s: %w", dir, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
