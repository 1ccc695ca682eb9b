// Package parallel renders independent pieces of output on every core and
// returns them in order, so that output stays deterministic.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Map calls fn(i) for i in [0, n) on up to GOMAXPROCS goroutines and
// returns the results in index order. Small inputs run on the caller's
// goroutine.
func Map[T any](n int, fn func(i int) T) []T {
	out := make([]T, n)
	workers := min(runtime.GOMAXPROCS(0), n/16)
	if workers < 2 {
		for i := range n {
			out[i] = fn(i)
		}
		return out
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				out[i] = fn(i)
			}
		})
	}
	wg.Wait()
	return out
}
