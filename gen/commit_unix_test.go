//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package gen

import (
	"strings"
	"testing"
	"time"

	"github.com/eksiam/eksiam/gen/iam"
)

// TestConcurrentRunWaitsThenFails: a second run on the same folder waits
// for the lock, and says so when it does not get it.
func TestConcurrentRunWaitsThenFails(t *testing.T) {
	dir := t.TempDir()
	unlock, err := lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func(w time.Duration) { lockWait = w }(lockWait)
	lockWait = 300 * time.Millisecond
	_, err = Write(dir, []string{Terraform}, []iam.File{{Path: "terraform/a.tf", Data: header("a")}}, false)
	if err == nil || !strings.Contains(err.Error(), "another eksiam generate is writing") {
		t.Errorf("a second run went on: %v", err)
	}
	unlock()
	if _, err := Write(dir, []string{Terraform}, []iam.File{{Path: "terraform/a.tf", Data: header("a")}}, false); err != nil {
		t.Errorf("after the first run, the second still fails: %v", err)
	}
}
