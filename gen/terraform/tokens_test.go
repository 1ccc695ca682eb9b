package terraform

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/eksiam/eksiam/gen/iam"
)

func TestExpr(t *testing.T) {
	tests := []struct {
		in   iam.Expr
		want string
	}{
		{iam.Lit("plain"), `"plain"`},
		{iam.Lit("${aws:username}/%{x}"), `"$${aws:username}/%%{x}"`},
		{iam.Refer(iam.RefCluster), `var.cluster_name`},
		{iam.Concat(iam.Lit("arn:"), iam.Refer(iam.RefPartition), iam.Lit(":s3:::b/${aws:userid}")),
			`"arn:${data.aws_partition.current.partition}:s3:::b/$${aws:userid}"`},
		{iam.Concat(iam.Refer(iam.RefProject), iam.Lit("-"), iam.Refer(iam.RefEnvironment)), `"${var.project}-${var.environment}"`},
		// A literal $ before an interpolation must not become the escape $${.
		{iam.Concat(iam.Lit("a$"), iam.Refer(iam.RefProject)), `"a${"$"}${var.project}"`},
		{iam.Concat(iam.Refer(iam.RefProject), iam.Lit("$")), `"${var.project}$"`},
		{iam.Concat(iam.Lit("b/$$"), iam.Refer(iam.RefRegion), iam.Lit("/x")), `"b/${"$$"}${local.region}/x"`},
	}
	for _, tc := range tests {
		if got := string(new(arena).expr(tc.in).Bytes()); got != tc.want {
			t.Errorf("expr(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestTagKeys(t *testing.T) {
	got := strings.Join(strings.Fields(string(fmtTokens(new(arena).tags([]iam.Tag{{Key: "for", Value: "a"}, {Key: "team", Value: "b"}, {Key: "kubernetes.io/x", Value: "c"}})))), " ")
	for _, want := range []string{`"for" = "a"`, `team = "b"`, `"kubernetes.io/x" = "c"`} {
		if !strings.Contains(got, want) {
			t.Errorf("tags = %s, want %s in it", got, want)
		}
	}
}

// TestStrMatchesHCL: string literals read back as the same string, and
// escape exactly as hclwrite does.
func TestStrMatchesHCL(t *testing.T) {
	for _, s := range []string{"", "plain", "a \"quoted\" \\ back", "tab\tnl\ncr\r", "${aws:username} %{x} $5 %d", "ünïcödé", "\x00\x1f\u2028", "$${already}"} {
		want := string(hclwrite.TokensForValue(cty.StringVal(s)).Bytes())
		if got := string(new(arena).str(s).Bytes()); got != want {
			t.Errorf("str(%q) = %s, hclwrite writes %s", s, got, want)
		}
	}
}
