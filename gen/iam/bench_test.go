package iam

import (
	"testing"

	"github.com/eksiam/eksiam/internal/benchspec"
	"github.com/eksiam/eksiam/schema"
)

// LoadBench loads the benchmark spec of n ServiceAccounts.
func loadBench(b *testing.B, n int) *schema.Spec {
	spec, diags := schema.Load("spec.yaml", benchspec.Spec(n))
	if diags.HasErrors() {
		b.Fatal(diags.Error())
	}
	return spec
}

func BenchmarkBuild(b *testing.B) {
	benchspec.Run(b, loadBench, func(b *testing.B, spec *schema.Spec) {
		if _, diags := Build(spec); diags.HasErrors() {
			b.Fatal(diags.Error())
		}
	})
}
