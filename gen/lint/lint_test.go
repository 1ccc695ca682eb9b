package lint

import (
	"fmt"
	"strings"
	"testing"

	"github.com/eksiam/eksiam/gen/iam"
	"github.com/eksiam/eksiam/schema"
)

func findings(t *testing.T, src string) string {
	t.Helper()
	spec, diags := schema.Load("s.yaml", []byte(src))
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	m, diags := iam.Build(spec)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return Model(m, spec).Error()
}

const base = "version: 1\nproject: shop\nenvironment: prod\ncluster:\n  region: eu-west-1\nnodeRole:\n  cni: none\n"

func TestCleanSpecHasNoFindings(t *testing.T) {
	if got := findings(t, base+"serviceAccounts:\n  - namespace: a\n    name: b\n    policy:\n      - actions: [s3:GetObject]\n        resources: ['*']\n"); got != "" {
		t.Errorf("a read-only statement on * is not a finding, got:\n%s", got)
	}
}

func TestIAMLimits(t *testing.T) {
	var arns []string
	for i := range 11 {
		arns = append(arns, fmt.Sprintf("\"arn:aws:iam::aws:policy/P%d\"", i))
	}
	got := findings(t, base+"serviceAccounts:\n  - namespace: a\n    name: b\n    managedPolicyArns: ["+strings.Join(arns, ", ")+"]\n")
	if !strings.Contains(got, "s.yaml:9:5: warning: ServiceAccount a/b has 11 managed policies; IAM allows 10 per role") || !strings.Contains(got, "[iam-limits]") {
		t.Errorf("want an iam-limits finding, got:\n%s", got)
	}
}

func TestTrustAccountWithoutSessionTagsIsNoFinding(t *testing.T) {
	got := findings(t, base+"serviceAccounts:\n  - namespace: a\n    name: b\n    trust: account\n    sessionTags: false\n")
	if strings.Contains(got, "trust-account") {
		t.Errorf("trust: account with sessionTags: false is the only choice, not a finding:\n%s", got)
	}
}

func TestConditionMakesWriteOnAnyResourceAcceptable(t *testing.T) {
	got := findings(t, base+"serviceAccounts:\n  - namespace: a\n    name: b\n    policy:\n      - actions: [ec2:CreateTags]\n        resources: ['*']\n        condition: {StringEquals: {\"ec2:CreateAction\": RunInstances}}\n")
	if got != "" {
		t.Errorf("a conditioned write is not a finding, got:\n%s", got)
	}
}

func TestWildcardsAndCase(t *testing.T) {
	got := findings(t, base+`serviceAccounts:
  - namespace: a
    name: b
    policy:
      - actions: ["s3:Put*", "s3:getobject", "s3:Get*"]
        resources: ['*']
      - actions: ["iam:Pass*"]
        resources: ["arn:aws:iam::111122223333:role/*"]
`)
	for _, want := range []string{"allows s3:Put* on every resource; name the resources or add a condition [write-on-any-resource]", "allows iam:PassRole on arn:aws:iam::111122223333:role/*"} {
		if !strings.Contains(got, want) {
			t.Errorf("want %q among:\n%s", want, got)
		}
	}
	for _, not := range []string{"s3:getobject", "s3:Get*"} {
		if strings.Contains(got, "allows "+not+" ") {
			t.Errorf("%s only reads, got:\n%s", not, got)
		}
	}
}

func TestPresetStatementsAreNotFindings(t *testing.T) {
	if got := findings(t, base+"serviceAccounts:\n  - namespace: a\n    name: b\n    presets: [gateway-api-controller]\n"); got != "" {
		t.Errorf("built-in presets' statements are not the user's to fix, got:\n%s", got)
	}
}
