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
	for _, want := range []string{"allows s3:Put* on every resource, which covers the writes s3:PutAccelerateConfiguration, ", "allows iam:PassRole on arn:aws:iam::111122223333:role/*"} {
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

// TestReadsAreNotWrites: the access level in the Service Authorization
// Reference says what writes, not the verb: logs:FilterLogEvents and
// ecr:BatchCheckLayerAvailability read; kms:Decrypt writes. A write that
// takes no resource type and no condition key (xray:PutTelemetryRecords)
// has nothing to narrow, so it is no finding either.
func TestReadsAreNotWrites(t *testing.T) {
	got := findings(t, base+`serviceAccounts:
  - namespace: a
    name: b
    policy:
      - actions: [logs:FilterLogEvents, ecr:BatchCheckLayerAvailability, sts:GetCallerIdentity, xray:PutTelemetryRecords, kms:Decrypt, sqs:DeleteMessage]
        resources: ['*']
`)
	for _, read := range []string{"FilterLogEvents", "BatchCheckLayerAvailability", "GetCallerIdentity", "PutTelemetryRecords"} {
		if strings.Contains(got, read) {
			t.Errorf("%s reads, but is reported:\n%s", read, got)
		}
	}
	for _, write := range []string{"allows kms:Decrypt on every resource", "allows sqs:DeleteMessage on every resource"} {
		if !strings.Contains(got, write) {
			t.Errorf("want %q among:\n%s", write, got)
		}
	}
}

// TestAccountRules: administrator-class policies on a pod role, session
// tags read by a role that gets none, and policies of another account.
func TestAccountRules(t *testing.T) {
	spec := strings.Replace(base, "region: eu-west-1", "region: eu-west-1\n  accountId: \"111122223333\"", 1)
	spec = strings.Replace(spec, "  cni: none\n", "  cni: none\n  additionalPolicyArns: [\"arn:aws:iam::444455556666:policy/node-extras\", \"arn:aws:iam::111122223333:policy/ok\"]\n", 1)
	got := findings(t, spec+`irsa: {}
serviceAccounts:
  - namespace: a
    name: b
    managedPolicyArns: ["arn:${partition}:iam::aws:policy/AdministratorAccess", "arn:${partition}:iam::${account}:policy/mine"]
    permissionsBoundary: "arn:aws:iam::999988887777:policy/boundary"
  - namespace: a
    name: irsa
    mechanism: irsa
    policy:
      - actions: [s3:GetObject]
        resources: ["arn:${partition}:s3:::b/${aws:PrincipalTag/kubernetes-namespace}/*"]
  - namespace: a
    name: untagged
    trust: account
    sessionTags: false
    policy:
      - actions: [s3:GetObject]
        resources: ["arn:${partition}:s3:::b/*"]
        condition:
          StringEquals: {aws:PrincipalTag/eks-cluster-name: prod}
  - namespace: a
    name: tagged
    policy:
      - actions: [s3:GetObject]
        resources: ["arn:${partition}:s3:::b/${aws:PrincipalTag/kubernetes-namespace}/*"]
`)
	for _, want := range []string{
		`s.yaml:9:26: warning: the node role: the managed policy arn:aws:iam::444455556666:policy/node-extras is in account 444455556666`,
		`s.yaml:14:25: warning: ServiceAccount a/b has the managed policy AdministratorAccess, which lets every pod of the ServiceAccount take over the account`,
		`s.yaml:15:26: warning: ServiceAccount a/b: the permissions boundary arn:aws:iam::999988887777:policy/boundary is in account 999988887777`,
		`s.yaml:21:21: warning: ServiceAccount a/irsa uses aws:PrincipalTag/kubernetes-namespace, but an IRSA role gets no Pod Identity session tags, so the variable is empty and the resource names nothing`,
		`s.yaml:30:26: warning: ServiceAccount a/untagged uses aws:PrincipalTag/eks-cluster-name, but the association has sessionTags: false (as a session policy requires), so the condition never holds`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("want %q among:\n%s", want, got)
		}
	}
	for _, not := range []string{"policy/ok", "policy/mine", "a/tagged"} {
		if strings.Contains(got, not) {
			t.Errorf("%s is right, but reported:\n%s", not, got)
		}
	}
}

// TestPinnedPresetNote: a preset pinned to an older version is a note,
// which --strict passes, naming the newest.
func TestPinnedPresetNote(t *testing.T) {
	spec, diags := schema.Load("s.yaml", []byte(base+"serviceAccounts:\n  - namespace: a\n    name: b\n    presets: [karpenter@1.7]\n    presetOptions: {nodeRoleArns: [\"arn:aws:iam::111122223333:role/n\"]}\n"))
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	m, _ := iam.Build(spec)
	got := Model(m, spec)
	if !strings.Contains(got.Error(), "s.yaml:11:15: note: ServiceAccount a/b pins karpenter to 1.7; the newest policy eksiam knows is 1.14") || got.HasWarnings() {
		t.Errorf("want one note on the pin, got:\n%s", got.Error())
	}
}

// TestUnusedPresetOption: an option that only scopes what another turns on
// is a warning when given alone, naming the option it goes with; given
// with it, or set to its default, it is none.
func TestUnusedPresetOption(t *testing.T) {
	sa := "serviceAccounts:\n  - namespace: kube-system\n    name: aws-node\n    presets: [vpc-cni]\n    presetOptions:\n"
	got := findings(t, base+sa+"      vpcIds: [vpc-0123456789abcdef0]\n")
	if !strings.Contains(got, "s.yaml:13:7: warning: ServiceAccount kube-system/aws-node: presetOptions.vpcIds has no effect with the other options as given (it scopes what presetOptions.clusterScoped turns on): no statement of vpc-cni uses it [preset-option-unused]") {
		t.Errorf("want a warning on vpcIds alone, got:\n%s", got)
	}
	for _, opts := range []string{
		"      vpcIds: [vpc-0123456789abcdef0]\n      clusterScoped: [\"true\"]\n",
		"      logs: [\"true\"]\n",
		"      ipFamily: [ipv6]\n",
	} {
		if got := findings(t, base+sa+opts); strings.Contains(got, "preset-option-unused") {
			t.Errorf("%s: want no preset-option-unused, got:\n%s", opts, got)
		}
	}
}

// TestUsedPresetOptions: an option two presets share, a foreach option and
// a pinned preset's options are read, so none warns.
func TestUsedPresetOptions(t *testing.T) {
	for _, sa := range []string{
		"    presets: [ebs-csi, velero]\n    presetOptions:\n      buckets: [backups]\n      kmsKeyArns: [\"arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\"]\n",
		"    presets: [cluster-autoscaler]\n    presetOptions:\n      clusterNames: [blue]\n",
		"    presets: [karpenter@1.7]\n    presetOptions:\n      nodeRoleArns: [\"arn:aws:iam::111122223333:role/n\"]\n      interruptionQueueArns: [\"arn:aws:sqs:eu-west-1:111122223333:q\"]\n",
	} {
		if got := findings(t, base+"serviceAccounts:\n  - namespace: a\n    name: b\n"+sa); strings.Contains(got, "preset-option-unused") {
			t.Errorf("%s: want no preset-option-unused, got:\n%s", sa, got)
		}
	}
}
