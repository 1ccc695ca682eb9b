package gen

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/eksiam/eksiam/internal/benchspec"
	"github.com/eksiam/eksiam/internal/equiv"
	"github.com/eksiam/eksiam/schema"
)

// TestParallelOutputIsSequentialOutput renders a spec large enough for the
// emitters to work on several cores, and on one, and demands the same
// bytes; the files also pass the cross-format equivalence check.
func TestParallelOutputIsSequentialOutput(t *testing.T) {
	spec, diags := schema.Load("spec.yaml", benchspec.Spec(300))
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	render := func(procs int) map[string][]byte {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		files, m, diags := Generate(spec, Options{})
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		out := map[string][]byte{}
		for _, f := range files {
			out[f.Path] = f.Data
		}
		if procs > 1 {
			for _, err := range equiv.Check(m, out) {
				t.Error(err)
			}
		}
		return out
	}
	one, many := render(1), render(4)
	if len(one) != len(many) {
		t.Fatalf("%d files on one core, %d on several", len(one), len(many))
	}
	for p, data := range one {
		if !bytes.Equal(data, many[p]) {
			t.Errorf("%s differs between one core and several", p)
		}
	}
}
