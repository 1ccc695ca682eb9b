package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksiam/eksiam/gen/iam"
	"github.com/eksiam/eksiam/sar"
	"github.com/eksiam/eksiam/schema"
	"github.com/eksiam/eksiam/templates"
)

// TestReferenceRules writes the mistakes the Service Authorization
// Reference catches and demands each finding at the element it is about,
// with a suggestion where one is close. The statements of issue 12's
// defect 2 (actions that take no resource type, scoped to ARNs) are among
// them.
func TestReferenceRules(t *testing.T) {
	got := findings(t, base+`serviceAccounts:
  - namespace: a
    name: b
    policy:
      - actions: [s3:GetObjects, s4:GetObject, "s3:Gett*", s3:GetObject]
        resources: ["arn:${partition}:s3:::b/*"]
      - actions: [s3:ListBucket]
        resources: ["arn:${partition}:s3:::b-${environment}/*"]
      - actions: [elasticloadbalancing:SetWebAcl, elasticloadbalancing:CreateListener]
        resources: ["arn:${partition}:elasticloadbalancing:${region}:${account}:loadbalancer/app/*/*"]
      - actions: [shield:CreateProtection]
        resources: ["arn:${partition}:shield::${account}:protection/*"]
      - actions: [route53:CreateHealthCheck, route53:UpdateHealthCheck]
        resources: ["arn:${partition}:route53:::healthcheck/*"]
      - actions: [s3:GetObject]
        resources: ["arn:${partition}:s3:::b/*"]
        condition:
          StringEquals:
            aws:PrincipleTag/team: x
            eks:eks-cluster-name: y
            aws:PrincipalTag/eks-cluster-name: z
            oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub: w
`)
	for _, want := range []string{
		`s.yaml:12:19: warning: ServiceAccount a/b: s3:GetObjects is no action of s3 (did you mean "s3:GetObject"?) (from AWS's Service Authorization Reference) [unknown-action]`,
		`s.yaml:12:34: warning: ServiceAccount a/b: s4:GetObject: no AWS service has the prefix s4 (did you mean "s3"?)`,
		`s.yaml:12:48: warning: ServiceAccount a/b: s3:Gett* matches no action of s3`,
		`s.yaml:14:19: warning: ServiceAccount a/b: s3:ListBucket acts on accesspoint (arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}), bucket (arn:${Partition}:s3:::${BucketName}); none of the statement's resources is one`,
		`s.yaml:16:19: warning: ServiceAccount a/b: elasticloadbalancing:SetWebAcl takes no resource type, so only "*" matches it; none of the statement's resources does`,
		`s.yaml:18:19: warning: ServiceAccount a/b: shield:CreateProtection takes no resource type`,
		`s.yaml:20:19: warning: ServiceAccount a/b: route53:CreateHealthCheck takes no resource type`,
		`s.yaml:26:13: warning: ServiceAccount a/b: condition key aws:PrincipleTag/team is not a global condition key nor one of any service (did you mean "aws:PrincipalTag/team"?)`,
		`s.yaml:27:13: warning: ServiceAccount a/b: condition key eks:eks-cluster-name is not a global condition key nor one of any service`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("want %q among:\n%s", want, got)
		}
	}
	for _, not := range []string{"CreateListener", "UpdateHealthCheck", "healthcheck/*", "aws:PrincipalTag/eks-cluster-name", "oidc.eks", "s3:::b/*"} {
		if strings.Contains(got, not) {
			t.Errorf("%s is right, but reported:\n%s", not, got)
		}
	}
}

// modelStatement reads a model statement for the reference rules, with
// placeholders written ${name}.
func modelStatement(s iam.Statement) RefStatement {
	strs := func(es []iam.Expr) []string {
		out := make([]string, len(es))
		for i, e := range es {
			out[i] = e.String()
		}
		return out
	}
	rs := RefStatement{Effect: s.Effect, Actions: s.Actions, NotActions: s.NotActions, Resources: strs(s.Resources), NotResources: strs(s.NotResources)}
	for _, c := range s.Conditions {
		rs.Keys = append(rs.Keys, c.Key.String())
	}
	return rs
}

// TestGoldenCasesAndPresetsFollowTheReference: no document eksiam writes
// for a golden case (trusts, eksiam's own policies, presets, the user's
// statements) and no preset, expanded with every option set, has a finding
// of the reference rules.
func TestGoldenCasesAndPresetsFollowTheReference(t *testing.T) {
	tb := sar.Default()
	check := func(where string, s RefStatement) {
		for _, f := range CheckReference(tb, s) {
			t.Errorf("%s: %s [%s]", where, f.Message, f.Rule)
		}
	}
	specs, err := filepath.Glob("../../golden/*/spec.yaml")
	if err != nil || len(specs) == 0 {
		t.Fatalf("no golden specs: %v", err)
	}
	checked := 0
	for _, p := range specs {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		spec, diags := schema.Load("spec.yaml", data)
		if diags.HasErrors() {
			continue
		}
		m, diags := iam.Build(spec)
		if diags.HasErrors() {
			continue
		}
		for _, r := range m.Roles() {
			docs := []iam.Document{r.AssumeRolePolicy}
			for _, pol := range append(append([]*iam.Policy{}, r.InlinePolicies...), r.CustomerPolicies...) {
				docs = append(docs, pol.Document)
			}
			if r.Association != nil && r.Association.SessionPolicy != nil {
				docs = append(docs, *r.Association.SessionPolicy)
			}
			for _, d := range docs {
				for _, s := range d.Statements {
					checked++
					check(filepath.Base(filepath.Dir(p))+": "+r.Who()+" "+s.Sid, modelStatement(s))
				}
			}
		}
	}
	ps, err := templates.Presets()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		for _, s := range p.Expand(p.ExampleValues()) {
			checked++
			rs := RefStatement{Effect: s.Effect, Actions: s.Actions, NotActions: s.NotActions, Resources: s.Resources, NotResources: s.NotResources}
			for _, c := range s.Conditions {
				rs.Keys = append(rs.Keys, c.Key)
			}
			check("preset "+p.Name+" "+s.Sid, rs)
		}
	}
	if checked < 300 {
		t.Errorf("only %d statements checked", checked)
	}
}

// TestReferenceResourceInAPartlyRightStatement: a resource that fits none
// of a statement's actions is reported where other resources fit, once;
// a Deny's wording says what it fails to deny.
func TestReferenceResourceInAPartlyRightStatement(t *testing.T) {
	got := findings(t, base+`serviceAccounts:
  - namespace: a
    name: b
    policy:
      - effect: Deny
        actions: [s3:GetObject, s3:ListBucket]
        resources: ["arn:${partition}:s3:::b", "arn:${partition}:s3:::b/*", "arn:${partition}:sqs:${region}:${account}:q"]
`)
	want := `s.yaml:14:77: warning: ServiceAccount a/b: resource arn:${partition}:sqs:${region}:${account}:q matches no resource type of the statement's actions, so it denies nothing there`
	if !strings.Contains(got, want) || strings.Count(got, "resource-never-matches") != 1 {
		t.Errorf("want exactly %q among:\n%s", want, got)
	}
}
