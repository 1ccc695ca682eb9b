package gen

import (
	"testing"

	"github.com/eksiam/eksiam/internal/benchspec"
	"github.com/eksiam/eksiam/schema"
)

// BenchmarkGenerate measures what eksiam generate does in memory, from the
// spec's bytes to every file of all three formats.
func BenchmarkGenerate(b *testing.B) {
	benchspec.Run(b, func(b *testing.B, n int) []byte { return benchspec.Spec(n) }, func(b *testing.B, data []byte) {
		spec, diags := schema.Load("spec.yaml", data)
		if diags.HasErrors() {
			b.Fatal(diags.Error())
		}
		if _, _, diags := Generate(spec, Options{}); diags.HasErrors() {
			b.Fatal(diags.Error())
		}
	})
}
