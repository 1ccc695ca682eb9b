package terraform

import (
	"testing"

	"github.com/eksiam/eksiam/internal/benchspec/benchmodel"
)

func BenchmarkEmit(b *testing.B) { benchmodel.Emit(b, Emit) }
