package eksctl

import (
	"testing"

	"github.com/eksiam/eksiam/gen/iam"
	"github.com/eksiam/eksiam/internal/benchspec"
	"github.com/eksiam/eksiam/schema"
)

func BenchmarkEmit(b *testing.B) {
	setup := func(b *testing.B, n int) *iam.Model {
		spec, diags := schema.Load("spec.yaml", benchspec.Spec(n))
		if diags.HasErrors() {
			b.Fatal(diags.Error())
		}
		m, diags := iam.Build(spec)
		if diags.HasErrors() {
			b.Fatal(diags.Error())
		}
		return m
	}
	benchspec.Run(b, setup, func(b *testing.B, m *iam.Model) {
		if _, err := Emit(m); err != nil {
			b.Fatal(err)
		}
	})
}
