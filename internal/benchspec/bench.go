package benchspec

import (
	"runtime"
	"strconv"
	"testing"
)

// Sizes are the numbers of ServiceAccounts benchmarks run with.
var Sizes = []int{10, 100, 1000, 10000}

// Run runs fn as sub-benchmarks, one per size, reporting allocations and
// the cost per ServiceAccount (ns/sa, B/sa) so that linear growth shows as
// constant numbers. setup prepares the input of one size outside the timer.
func Run[T any](b *testing.B, setup func(b *testing.B, n int) T, fn func(b *testing.B, in T)) {
	for _, n := range Sizes {
		b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
			in := setup(b, n)
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for b.Loop() {
				fn(b, in)
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			ops := float64(b.N) * float64(n)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/ops, "ns/sa")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/ops, "B/sa")
		})
	}
}
