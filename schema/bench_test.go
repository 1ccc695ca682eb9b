package schema

import (
	"testing"

	"github.com/eksiam/eksiam/internal/benchspec"
)

func BenchmarkLoad(b *testing.B) {
	benchspec.Run(b, func(b *testing.B, n int) []byte { return benchspec.Spec(n) }, func(b *testing.B, data []byte) {
		if _, diags := Load("spec.yaml", data); diags.HasErrors() {
			b.Fatal(diags.Error())
		}
	})
}
