package gen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/eksiam/eksiam/internal/equiv"
	"github.com/eksiam/eksiam/schema"
)

// TestFreeTextSurvivesEveryFormat writes random strings full of $, %, {, },
// ! and quotes into every free-text field that reaches a policy (resources,
// notResources, condition values), generates all three formats, reads each
// back (Terraform parsed and evaluated, CloudFormation with !Sub resolved,
// eksctl as YAML) and demands that each says exactly what the spec said,
// with its placeholders filled in. "$$${region}" once gave HCL that read as
// something else, with exit 0.
func TestFreeTextSurvivesEveryFormat(t *testing.T) {
	pieces := []string{"$", "$", "%", "{", "}", "!", "a", "-", ":", "/", "*", "?", `"`, `\`, "'", "#", " ",
		"${region}", "${account}", "${partition}", "${aws:username}", "${aws:PrincipalTag/team}", "${*}", "%{", "$${"}
	values := map[string]string{"${region}": "eu-west-1", "${account}": "111122223333", "${partition}": "aws"}
	rng := rand.New(rand.NewPCG(12, 2026))
	random := func() string {
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	// expand fills in the placeholders the way every format resolves
	// them at deploy time; IAM policy variables stay as written.
	expand := func(s string) string {
		segs, err := schema.SplitPlaceholders(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		var b strings.Builder
		for _, seg := range segs {
			if seg.Placeholder != "" {
				b.WriteString(values["${"+seg.Placeholder+"}"])
			} else {
				b.WriteString(seg.Text)
			}
		}
		return b.String()
	}
	quote := func(s string) string { return fmt.Sprintf("%q", s) } // a YAML double-quoted scalar
	accepted := 0
	for i := range 300 {
		res, notRes, cond := random(), random(), []string{random(), random()}
		src := fmt.Sprintf(`version: 1
project: shop
environment: prod
cluster:
  region: eu-west-1
  accountId: "111122223333"
serviceAccounts:
  - namespace: a
    name: b
    policy:
      - sid: Free
        actions: [s3:GetObject]
        resources: [%s]
        condition:
          StringLike:
            aws:PrincipalTag/x: [%s, %s]
      - sid: NotFree
        effect: Deny
        actions: [s3:PutObject]
        notResources: [%s]
`, quote("arn:${partition}:s3:::b/"+res), quote(cond[0]), quote(cond[1]), quote("arn:${partition}:s3:::c/"+notRes))
		spec, diags := schema.Load("spec.yaml", []byte(src))
		if diags.HasErrors() {
			continue // an unterminated ${ or unknown placeholder: refused, nothing to parse
		}
		files, m, gdiags := Generate(spec, Options{})
		if gdiags.HasErrors() {
			t.Fatalf("case %d: the spec loads but does not generate:\n%s\n%s", i, src, gdiags.Error())
		}
		accepted++
		out := map[string][]byte{}
		for _, f := range files {
			out[f.Path] = f.Data
		}
		for _, err := range equiv.Check(m, out) {
			t.Errorf("case %d (%q %q %q %q): %v", i, res, notRes, cond[0], cond[1], err)
		}
		// The model itself says what the spec said.
		var resources, conditions []string
		for _, r := range equiv.FromModel(m).Roles {
			for _, tu := range r.Permissions {
				resources = append(resources, tu.Resource)
				conditions = append(conditions, tu.Condition)
			}
		}
		if want := expand("arn:${partition}:s3:::b/" + res); !slices.Contains(resources, want) {
			t.Errorf("case %d: resource %q is not in the model's %q", i, want, resources)
		}
		if want := "!" + expand("arn:${partition}:s3:::c/"+notRes); !slices.Contains(resources, want) {
			t.Errorf("case %d: notResource %q is not in the model's %q", i, want, resources)
		}
		for _, c := range cond {
			if !slices.ContainsFunc(conditions, func(s string) bool { return strings.Contains(s, expand(c)) }) {
				t.Errorf("case %d: condition value %q is not in the model's %q", i, expand(c), conditions)
			}
		}
		if t.Failed() {
			return
		}
	}
	if accepted < 100 {
		t.Fatalf("only %d of 300 random specs were accepted; the test checks too little", accepted)
	}
}
