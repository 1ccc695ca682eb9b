package schema

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds the loader arbitrary bytes: it must never panic, and a
// spec without errors must have the fields every later stage relies on.
func FuzzLoad(f *testing.F) {
	specs, _ := filepath.Glob("../golden/*/spec.yaml")
	for _, p := range specs {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(minimal))
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, diags := Load("f.yaml", data)
		if diags.HasErrors() {
			return
		}
		if spec == nil || spec.Project.Value == "" || spec.Cluster.Region.Value == "" || spec.Cluster.Partition.Value == "" {
			t.Fatalf("a spec without errors lacks required fields: %+v", spec)
		}
	})
}
