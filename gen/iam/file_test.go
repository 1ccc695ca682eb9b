package iam

import (
	"strings"
	"testing"
)

// TestHeaderIsOneSafeLine: a spec file's name reaches every generated
// file's first line, so no name may end that comment line.
func TestHeaderIsOneSafeLine(t *testing.T) {
	for name, want := range map[string]string{
		"spec.yaml":                         "spec.yaml",
		"prod spec (v2).yaml":               "prod spec (v2).yaml",
		"spéc.yaml":                         "spéc.yaml",
		"x\nresource \"aws_iam_user\" {}\n": "x_resource \"aws_iam_user\" {}_",
		"a\rb\u0085c\u2028d\u2029e\tf\xffg": "a_b_c_d_e_f_g",
		"evil\u202egnp.yaml":                "evil_gnp.yaml",
	} {
		h := Header(name)
		if h != HeaderPrefix+" from "+want+"; "+HeaderSuffix {
			t.Errorf("Header(%q) = %q", name, h)
		}
		if strings.ContainsAny(h, "\n\r\x85\u2028\u2029") || !IsGenerated([]byte(h+"\n")) {
			t.Errorf("Header(%q) = %q is not one header line", name, h)
		}
	}
}
