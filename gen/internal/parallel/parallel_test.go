package parallel

import "testing"

func TestMapKeepsOrder(t *testing.T) {
	for _, n := range []int{0, 1, 15, 16, 1000} {
		got := Map(n, func(i int) int { return i * i })
		if len(got) != n {
			t.Fatalf("n=%d: %d results", n, len(got))
		}
		for i, v := range got {
			if v != i*i {
				t.Fatalf("n=%d: result %d is %d", n, i, v)
			}
		}
	}
}
