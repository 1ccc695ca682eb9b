package prose

import "testing"

func TestSome(t *testing.T) {
	for _, c := range []struct {
		names []string
		shown int
		want  string
	}{
		{nil, 3, ""},
		{[]string{"a", "b"}, 3, "a, b"},
		{[]string{"a", "b", "c"}, 3, "a, b, c"},
		{[]string{"a", "b", "c", "d", "e"}, 3, "a, b, c and 2 more"},
	} {
		if got := Some(c.names, c.shown); got != c.want {
			t.Errorf("Some(%q, %d) = %q, want %q", c.names, c.shown, got, c.want)
		}
	}
}
