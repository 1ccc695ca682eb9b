// Package benchmodel gives emitter benchmarks the IAM model of the
// benchmark spec. It is apart from benchspec, which the schema and iam
// benchmarks import and which so cannot import them.
package benchmodel

import (
	"testing"

	"github.com/eksiam/eksiam/gen/iam"
	"github.com/eksiam/eksiam/internal/benchspec"
	"github.com/eksiam/eksiam/schema"
)

// Model loads and builds the benchmark spec of n ServiceAccounts.
func Model(b *testing.B, n int) *iam.Model {
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

// Emit benchmarks an emitter on the model at every size.
func Emit(b *testing.B, emit func(*iam.Model) ([]iam.File, error)) {
	benchspec.Run(b, Model, func(b *testing.B, m *iam.Model) {
		if _, err := emit(m); err != nil {
			b.Fatal(err)
		}
	})
}
