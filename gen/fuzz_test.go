package gen

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/eksiam/eksiam/schema"
)

// FuzzChecks runs the model's and the formats' checks, and validate's, on
// whatever the loader makes of any input, errors or not, as generate and
// validate do to report every problem in one run: they must not panic.
func FuzzChecks(f *testing.F) {
	specs, _ := filepath.Glob("../golden/*/spec.yaml")
	for _, p := range specs {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, diags := schema.Load("f.yaml", data)
		if spec == nil {
			return
		}
		Generate(spec, Options{ChecksOnly: true})
		Validate(spec, diags.HasErrors())
	})
}
