package explain

import (
	"bytes"
	"strings"
	"testing"

	"github.com/eksiam/eksiam/gen/iam"
	"github.com/eksiam/eksiam/sar"
	"github.com/eksiam/eksiam/schema"
)

// TestReport: a role's trust in words, its actions by service with what
// wildcards cover (by the Service Authorization table), NotAction as every
// action but those, and the session policy and target role that limit it.
func TestReport(t *testing.T) {
	s, diags := schema.Load("s.yaml", []byte(`version: 1
project: shop
environment: prod
cluster: {region: eu-west-1, accountId: "111122223333"}
nodeRole: {enabled: false, cni: none}
serviceAccounts:
  - namespace: a
    name: b
    trust: account
    sessionTags: false
    targetRoleArn: "arn:aws:iam::444455556666:role/target"
    policy:
      - {actions: ["s3:Get*", "s3:GetObject", "sqs:SendMessage"], resources: ["*"]}
      - {effect: Deny, notActions: ["iam:*"], resources: ["*"]}
    sessionPolicy:
      - {actions: [s3:GetObject], resources: ["*"]}
`))
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	m, diags := iam.Build(s)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	rep, err := Build(m, m.Value, "a/b")
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Roles[0]
	if !strings.Contains(r.Trust[0].Summary, "any association in the account") {
		t.Errorf("trust: %q", r.Trust[0].Summary)
	}
	covers := map[string]int{}
	for _, svc := range r.Services {
		for _, g := range svc.Grants {
			covers[svc.Prefix+" "+g.Effect] = g.Covers
		}
	}
	gets := len(sar.Default().Expand("s3:Get*"))
	if covers["s3 Allow"] != gets || gets < 10 {
		t.Errorf("s3:Get* with s3:GetObject covers %d, want the %d s3:Get* actions once", covers["s3 Allow"], gets)
	}
	if covers["sqs Allow"] != 1 {
		t.Errorf("sqs:SendMessage covers %d", covers["sqs Allow"])
	}
	if all, iam := len(sar.Default().Expand("*")), len(sar.Default().Expand("iam:*")); covers["* Deny"] != all-iam {
		t.Errorf("NotAction iam:* covers %d, want %d", covers["* Deny"], all-iam)
	}
	var text bytes.Buffer
	if err := rep.Write(&text, "text"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Limited, in Pod Identity sessions, by the session policy", "target role arn:aws:iam::444455556666:role/target", "every action but iam:*"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
}
