// Package testenv finds what tests need outside the module: the project's
// shared/ folder, which lies beside the checkout. Tests that need it skip
// with a clear message when it is missing, and fail instead in CI (CI=true),
// where it must be there.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// ModuleRoot returns the folder that holds go.mod.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testenv: no go.mod above the test's folder")
		}
		dir = parent
	}
}

// Shared returns the path of a file or folder in ../shared, skipping the
// test when it is absent, or failing it when CI=true.
func Shared(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(ModuleRoot(t), "..", "shared", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("testenv: %s is required in CI: %v", p, err)
		}
		t.Skipf("testenv: skipping: %s is not there (it lies beside the checkout as ../shared)", p)
	}
	return p
}
