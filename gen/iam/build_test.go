package iam

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/eksiam/eksiam/schema"
)

func build(t *testing.T, src string) (*Model, schema.Diagnostics) {
	t.Helper()
	spec, diags := schema.Load("s.yaml", []byte(src))
	if diags.HasErrors() {
		t.Fatalf("spec does not load:\n%s", diags.Error())
	}
	return Build(spec)
}

const base = "version: 1\nproject: shop\nenvironment: prod\ncluster:\n  region: eu-west-1\n"

func role(t *testing.T, m *Model, ns, sa string) *Role {
	t.Helper()
	for _, r := range m.PodRoles {
		if r.Namespace == ns && r.ServiceAccount == sa {
			return r
		}
	}
	t.Fatalf("no role for %s/%s", ns, sa)
	return nil
}

// TestPodIdentityTrust pins the trust statement to the EKS user guide: the
// service principal, both actions, and with scoped trust the three session
// tags under StringEquals, the cluster ARN built from parts.
func TestPodIdentityTrust(t *testing.T) {
	m, diags := build(t, base+"nodeRole:\n  cni: none\nserviceAccounts:\n  - namespace: orders\n    name: api\n  - namespace: jobs\n    name: batch\n    trust: account\n")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	scoped := role(t, m, "orders", "api").AssumeRolePolicy.Statements
	if len(scoped) != 1 {
		t.Fatalf("want one trust statement, got %d", len(scoped))
	}
	st := scoped[0]
	if st.Effect != "Allow" || len(st.Principals) != 1 || st.Principals[0].Type != "Service" || st.Principals[0].Identifiers[0].String() != "pods.eks.amazonaws.com" {
		t.Errorf("principal: %+v", st.Principals)
	}
	if strings.Join(st.Actions, ",") != "sts:AssumeRole,sts:TagSession" {
		t.Errorf("actions: %v", st.Actions)
	}
	want := []string{
		"StringEquals aws:RequestTag/eks-cluster-arn arn:${partition}:eks:${region}:${account}:cluster/${cluster}",
		"StringEquals aws:RequestTag/kubernetes-namespace orders",
		"StringEquals aws:RequestTag/kubernetes-service-account api",
	}
	if len(st.Conditions) != len(want) {
		t.Fatalf("conditions: %+v", st.Conditions)
	}
	for i, c := range st.Conditions {
		got := c.Operator + " " + c.Key.String() + " " + c.Values[0].String()
		if got != want[i] || len(c.Values) != 1 {
			t.Errorf("condition %d = %q, want %q", i, got, want[i])
		}
	}
	if acct := role(t, m, "jobs", "batch").AssumeRolePolicy.Statements[0]; len(acct.Conditions) != 0 {
		t.Errorf("account trust has conditions: %+v", acct.Conditions)
	}
}

func TestAccountIsFoldedWhenKnown(t *testing.T) {
	m, _ := build(t, strings.Replace(base, "region: eu-west-1", "region: eu-west-1\n  accountId: \"111122223333\"", 1)+"nodeRole:\n  cni: none\nserviceAccounts:\n  - namespace: a\n    name: b\n")
	got := role(t, m, "a", "b").AssumeRolePolicy.Statements[0].Conditions[0].Values[0].String()
	if got != "arn:${partition}:eks:${region}:111122223333:cluster/${cluster}" {
		t.Errorf("cluster ARN = %q", got)
	}
	if m.Uses(RefAccount) {
		t.Error("the model still refers to the account although the spec fixes it")
	}
}

func TestIRSATrust(t *testing.T) {
	arn := "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"
	m, _ := build(t, base+"irsa:\n  oidcProviderArn: \""+arn+"\"\nnodeRole:\n  cni: none\nserviceAccounts:\n  - namespace: a\n    name: b\n    mechanism: both\n")
	sts := role(t, m, "a", "b").AssumeRolePolicy.Statements
	if len(sts) != 2 {
		t.Fatalf("mechanism both: want two trust statements, got %d", len(sts))
	}
	irsa := sts[1]
	if irsa.Principals[0].Type != "Federated" || irsa.Principals[0].Identifiers[0].String() != arn || irsa.Actions[0] != "sts:AssumeRoleWithWebIdentity" {
		t.Errorf("IRSA statement: %+v", irsa)
	}
	issuer := "oidc.eks.eu-west-1.amazonaws.com/id/ABC"
	if k := irsa.Conditions[0].Key.String(); k != issuer+":aud" || irsa.Conditions[0].Values[0].String() != "sts.amazonaws.com" {
		t.Errorf("aud condition: %s", k)
	}
	if k := irsa.Conditions[1].Key.String(); k != issuer+":sub" || irsa.Conditions[1].Values[0].String() != "system:serviceaccount:a:b" {
		t.Errorf("sub condition: %s", k)
	}
}

func TestNodeRole(t *testing.T) {
	m, _ := build(t, strings.Replace(base, "eu-west-1", "cn-north-1", 1)+"nodeRole:\n  policy: restrictive\n  ecr: read-only\n  cni: node-role\n  ssm: true\n")
	r := m.NodeRoles[0]
	ids := r.AssumeRolePolicy.Statements[0].Principals[0].Identifiers
	if len(ids) != 2 || ids[0].String() != "ec2.amazonaws.com" || ids[1].String() != "ec2.amazonaws.com.cn" {
		t.Errorf("aws-cn node trust: %v", ids)
	}
	var arns []string
	for _, a := range r.ManagedPolicyARNs {
		arns = append(arns, a.String())
	}
	want := "arn:${partition}:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly arn:${partition}:iam::aws:policy/AmazonEKS_CNI_Policy arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
	if strings.Join(arns, " ") != want {
		t.Errorf("managed ARNs:\n got %s\nwant %s", strings.Join(arns, " "), want)
	}
	if len(r.InlinePolicies) != 1 || r.InlinePolicies[0].Name.String() != "eksiam-worker-node" {
		t.Fatalf("restrictive policy: %+v", r.InlinePolicies)
	}
	for _, st := range r.InlinePolicies[0].Document.Statements {
		for _, a := range st.Actions {
			if strings.Contains(a, "*") {
				t.Errorf("restrictive policy has a wildcard action %q", a)
			}
			if strings.HasPrefix(a, "eks") && st.Resources[0].String() == "*" {
				t.Errorf("%s is granted on * instead of this cluster", a)
			}
		}
	}
	if len(m.PodRoles) != 0 {
		t.Errorf("cni: node-role still made a CNI role")
	}
}

func TestCNIRoleSurvivesDisabledNodeRole(t *testing.T) {
	m, _ := build(t, base+"nodeRole:\n  enabled: false\n  ipFamily: ipv6\n")
	if len(m.NodeRoles) != 0 {
		t.Fatal("node role generated although disabled")
	}
	r := role(t, m, "kube-system", "aws-node")
	if len(r.InlinePolicies) != 1 || r.InlinePolicies[0].Purpose != "cni-ipv6" || len(r.ManagedPolicyARNs) != 0 {
		t.Errorf("IPv6 CNI role: inline %+v managed %v", r.InlinePolicies, r.ManagedPolicyARNs)
	}
	if r.Association == nil || r.Association.Namespace != "kube-system" || r.Association.ServiceAccount != "aws-node" {
		t.Errorf("CNI association: %+v", r.Association)
	}
}

func TestShorten(t *testing.T) {
	long := strings.Repeat("platform-", 10)
	a, b := Shorten(long, 64), Shorten(long+"x", 64)
	if len(a) > 64 || len(b) > 64 {
		t.Fatalf("not shortened: %d, %d", len(a), len(b))
	}
	if a == b {
		t.Error("two names shortened to the same name")
	}
	if a != Shorten(long, 64) {
		t.Error("shortening is not deterministic")
	}
	if !strings.HasPrefix(a, "platform-platform-") || strings.Contains(a, "--") {
		t.Errorf("shortened name is not a readable prefix plus hash: %q", a)
	}
	if Shorten("short", 64) != "short" {
		t.Error("a short name was changed")
	}
}

// TestShortenedNamesKeepTheServiceAccount: a name past 64 characters keeps
// {namespace}-{serviceAccount} whole and cuts the part before it; three
// roles once read ...-kube-system-<hash>, telling nothing apart.
func TestShortenedNamesKeepTheServiceAccount(t *testing.T) {
	m, diags := build(t, `version: 1
project: enterprise-platform-services
environment: production-east
cluster:
  region: us-east-1
serviceAccounts:
  - {namespace: kube-system, name: aws-load-balancer-controller}
  - {namespace: kube-system, name: external-dns}
  - {namespace: kube-system, name: cluster-autoscaler}
`)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	for _, sa := range []string{"aws-load-balancer-controller", "external-dns", "cluster-autoscaler"} {
		name := role(t, m, "kube-system", sa).Name.String()
		if len(name) > 64 || !strings.HasSuffix(name, "-kube-system-"+sa) || !strings.HasPrefix(name, "ente") {
			t.Errorf("%s: shortened to %q (%d characters)", sa, name, len(name))
		}
	}
	// A tail too long to keep whole is shortened with the rest.
	long := strings.Repeat("n", 63)
	if got := ShortenKeeping("shop-prod-", long+"-"+long, 64); len(got) > 64 || got != Shorten("shop-prod-"+long+"-"+long, 64) {
		t.Errorf("ShortenKeeping with a tail over budget = %q", got)
	}
	if got := ShortenKeeping("a-", "b", 64); got != "a-b" {
		t.Errorf("a short name was changed: %q", got)
	}
}

func TestIDs(t *testing.T) {
	for _, c := range []struct{ ns, sa, snake, pascal string }{
		{"orders", "orders-api", "orders__orders_api", "OrdersOrdersApi"},
		{"kube-system", "aws-node", "kube_system__aws_node", "KubeSystemAwsNode"},
		{"0day", "x.y", "sa_0day__x_y", "0dayXY"},
	} {
		if got := snakeID(c.ns, c.sa); got != c.snake {
			t.Errorf("snakeID(%s, %s) = %s, want %s", c.ns, c.sa, got, c.snake)
		}
		if got := pascal(c.ns) + pascal(c.sa); got != c.pascal {
			t.Errorf("pascal(%s, %s) = %s, want %s", c.ns, c.sa, got, c.pascal)
		}
	}
}

// TestAddingAServiceAccountRenamesNothing: ids and names depend only on a
// role's own namespace and ServiceAccount.
func TestAddingAServiceAccountRenamesNothing(t *testing.T) {
	one := base + "serviceAccounts:\n  - namespace: b\n    name: x\n"
	two := one + "  - namespace: a\n    name: y\n"
	m1, _ := build(t, one)
	m2, _ := build(t, two)
	r1, r2 := role(t, m1, "b", "x"), role(t, m2, "b", "x")
	if r1.ID != r2.ID || r1.PascalID != r2.PascalID || r1.Name.String() != r2.Name.String() {
		t.Errorf("adding a ServiceAccount changed another's names: %s/%s/%s vs %s/%s/%s", r1.ID, r1.PascalID, r1.Name, r2.ID, r2.PascalID, r2.Name)
	}
}

// TestVariableLimits: however the variables are set within their limits,
// no name built from them passes 64 characters.
func TestVariableLimits(t *testing.T) {
	m, _ := build(t, base+"serviceAccounts:\n  - namespace: observability\n    name: opentelemetry-collector\n")
	values := map[Ref]int{}
	for _, v := range m.Variables {
		values[v.Ref] = v.MaxLength
	}
	for _, r := range m.Roles() {
		n := 0
		for _, p := range r.Name {
			if p.Ref == "" {
				n += len(p.Text)
			} else if max, ok := values[p.Ref]; ok {
				n += max
			} else {
				n += len(m.Value(p.Ref))
			}
		}
		if n > MaxRoleName {
			t.Errorf("%s can reach %d characters with the variables at their limits", r.Name, n)
		}
	}
	if values[RefProject] < len("shop") {
		t.Errorf("project limit %d is below its default", values[RefProject])
	}
}

func TestSetsAreSortedAndDeduplicated(t *testing.T) {
	m, _ := build(t, base+"serviceAccounts:\n  - namespace: a\n    name: b\n    managedPolicyArns: [\"arn:aws:iam::aws:policy/B\", \"arn:aws:iam::aws:policy/A\", \"arn:aws:iam::aws:policy/B\"]\n    policy:\n      - actions: [s3:PutObject, s3:GetObject, s3:PutObject]\n        resources: [\"arn:aws:s3:::z\", \"arn:aws:s3:::a\"]\n        condition:\n          StringEquals: {\"aws:ResourceTag/t\": [\"y\", \"x\", \"y\"]}\n")
	r := role(t, m, "a", "b")
	st := r.InlinePolicies[0].Document.Statements[0]
	if strings.Join(st.Actions, ",") != "s3:GetObject,s3:PutObject" || st.Resources[0].String() != "arn:aws:s3:::a" || len(st.Conditions[0].Values) != 2 || len(r.ManagedPolicyARNs) != 2 {
		t.Errorf("not sorted and de-duplicated: %+v %v", st, r.ManagedPolicyARNs)
	}
}

func TestTargetRolePermission(t *testing.T) {
	m, _ := build(t, base+"serviceAccounts:\n  - namespace: a\n    name: b\n    targetRoleArn: \"arn:${partition}:iam::444455556666:role/other\"\n")
	r := role(t, m, "a", "b")
	if len(r.InlinePolicies) != 1 || r.InlinePolicies[0].Name.String() != "eksiam-target-role" {
		t.Fatalf("no target-role policy: %+v", r.InlinePolicies)
	}
	st := r.InlinePolicies[0].Document.Statements[0]
	if strings.Join(st.Actions, ",") != "sts:AssumeRole,sts:TagSession" || st.Resources[0].String() != "arn:${partition}:iam::444455556666:role/other" {
		t.Errorf("target-role statement: %+v", st)
	}
	if r.Association.TargetRoleARN.String() != st.Resources[0].String() {
		t.Errorf("association target %s", r.Association.TargetRoleARN)
	}
}

func TestSnakeName(t *testing.T) {
	for in, want := range map[string]string{
		"AmazonEKSWorkerNodePolicy":          "amazon_eks_worker_node_policy",
		"AmazonEKS_CNI_Policy":               "amazon_eks_cni_policy",
		"AmazonEC2ContainerRegistryPullOnly": "amazon_ec2_container_registry_pull_only",
		"cni-ipv6":                           "cni_ipv6",
		"team/policy--v2":                    "team_policy_v2",
		"1st":                                "p_1st",
	} {
		if got := SnakeName(in); got != want {
			t.Errorf("SnakeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAttachmentKey(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:${partition}:iam::aws:policy/AmazonS3ReadOnlyAccess":                "amazon_s3_read_only_access",
		"arn:${partition}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy": "amazon_ebscsi_driver_policy",
		"arn:aws:iam::111122223333:policy/team/foo-bar":                          "team_foo_bar",
	} {
		if got := AttachmentKey(Lit(arn)); got != want {
			t.Errorf("AttachmentKey(%s) = %q, want %q", arn, got, want)
		}
	}
}

func TestManagedPolicyQuota(t *testing.T) {
	arns := func(n int) string {
		var s []string
		for i := range n {
			s = append(s, fmt.Sprintf("\"arn:aws:iam::aws:policy/P%d\"", i))
		}
		return "[" + strings.Join(s, ", ") + "]"
	}
	_, diags := build(t, base+"serviceAccounts:\n  - namespace: a\n    name: b\n    managedPolicyArns: "+arns(20)+"\n")
	if len(diags) != 0 {
		t.Errorf("20 policies: want no error (over 10 is a lint finding), got:\n%s", diags.Error())
	}
	_, diags = build(t, base+"serviceAccounts:\n  - namespace: a\n    name: b\n    managedPolicyArns: "+arns(21)+"\n")
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "more than the 20 IAM allows") {
		t.Errorf("21 policies: want an error, got:\n%s", diags.Error())
	}
}

func TestAttachmentClash(t *testing.T) {
	_, diags := build(t, base+"serviceAccounts:\n  - namespace: a\n    name: b\n    managedPolicyArns: [\"arn:aws:iam::111122223333:policy/x\", \"arn:aws:iam::444455556666:policy/x\"]\n")
	if !strings.Contains(diags.Error(), "attaches two managed policies with the same name") {
		t.Errorf("want an attachment clash, got:\n%s", diags.Error())
	}
}

// TestDuplicateSidAcrossPolicies: a sid of the user's that eksiam or a
// preset uses too is reported at the user's statement, naming who else
// uses it.
func TestDuplicateSidAcrossPolicies(t *testing.T) {
	_, diags := build(t, base+"serviceAccounts:\n  - namespace: a\n    name: b\n    targetRoleArn: \"arn:aws:iam::444455556666:role/t\"\n    policy:\n      - sid: AssumeTargetRole\n        actions: [s3:GetObject]\n        resources: ['*']\n")
	if want := `s.yaml:11:9: sid "AssumeTargetRole" is used twice among the policies of ServiceAccount a/b (eksiam uses it for a statement of its own)`; !strings.Contains(diags.Error(), want) {
		t.Errorf("want %s, got:\n%s", want, diags.Error())
	}
	_, diags = build(t, base+"serviceAccounts:\n  - namespace: a\n    name: b\n    presets: [external-dns]\n    presetOptions:\n      hostedZoneIds: [Z0123456789ABCDEFGHIJ]\n    policy:\n      - sid: ExternalDnsChangeRecords\n        actions: [s3:GetObject]\n        resources: ['*']\n")
	if want := `s.yaml:13:9: sid "ExternalDnsChangeRecords" is used twice among the policies of ServiceAccount a/b (the external-dns preset uses it)`; !strings.Contains(diags.Error(), want) {
		t.Errorf("want %s, got:\n%s", want, diags.Error())
	}
}

func TestTagsMergeIgnoringCase(t *testing.T) {
	m, _ := build(t, base+"tags:\n  Team: platform\nserviceAccounts:\n  - namespace: a\n    name: b\n    tags:\n      team: orders\n")
	tags := role(t, m, "a", "b").Tags
	if len(tags) != 1 || tags[0].Key != "team" || tags[0].Value != "orders" {
		t.Errorf("tags = %+v, want only the ServiceAccount's team=orders", tags)
	}
}

// TestVariableLimitsPerVariable: a variable only some names use may grow
// by what those names allow.
func TestVariableLimitsPerVariable(t *testing.T) {
	m, _ := build(t, base+"naming:\n  nodeRole: \"{cluster}-node\"\nserviceAccounts:\n  - namespace: observability\n    name: opentelemetry-collector-with-a-long-name\n")
	for _, v := range m.Variables {
		if v.Ref == RefCluster && v.MaxLength < 50 {
			t.Errorf("cluster_name limit %d: the node role name leaves it room for 59", v.MaxLength)
		}
	}
}

// TestPresetsMergeWithoutDuplicates: a preset's statement that grants what
// the role already grants is left out; the rest stays, sids prefixed.
func TestPresetsMergeWithoutDuplicates(t *testing.T) {
	m, diags := build(t, base+`serviceAccounts:
  - namespace: dns
    name: x
    presets: [external-dns, cert-manager]
    presetOptions: {hostedZoneIds: [Z0123456789ABCDEFGHIJ]}
    policy:
      - actions: [route53:ListHostedZones, route53:ListResourceRecordSets, route53:ListTagsForResource, route53:ListTagsForResources]
        resources: ["*"]
`)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	r := role(t, m, "dns", "x")
	var names, sids []string
	for _, p := range r.InlinePolicies {
		names = append(names, p.Name.String())
		for _, s := range p.Document.Statements {
			sids = append(sids, s.Sid)
		}
	}
	if strings.Join(names, ",") != "eksiam-policy,eksiam-external-dns,eksiam-cert-manager" {
		t.Errorf("policies %v", names)
	}
	if slices.Contains(sids, "ExternalDnsReadZones") {
		t.Errorf("external-dns's read statement repeats the user's and should be left out: %v", sids)
	}
	if !slices.Contains(sids, "ExternalDnsChangeRecords") || !slices.Contains(sids, "CertManagerGetChangeStatus") {
		t.Errorf("preset statements missing: %v", sids)
	}
}

func TestPresetManagedPolicies(t *testing.T) {
	m, _ := build(t, base+"serviceAccounts:\n  - namespace: amazon-cloudwatch\n    name: cloudwatch-agent\n    presets: [cloudwatch-observability]\n")
	var arns []string
	for _, a := range role(t, m, "amazon-cloudwatch", "cloudwatch-agent").ManagedPolicyARNs {
		arns = append(arns, a.String())
	}
	want := "arn:${partition}:iam::aws:policy/AWSXrayWriteOnlyAccess arn:${partition}:iam::aws:policy/CloudWatchAgentServerPolicy"
	if strings.Join(arns, " ") != want {
		t.Errorf("managed ARNs %v, want %s", arns, want)
	}
}

func TestNothingToGenerate(t *testing.T) {
	_, diags := build(t, base+"nodeRole:\n  enabled: false\n  cni: none\n")
	if !strings.Contains(diags.Error(), "s.yaml:4:1: the spec generates no role") {
		t.Errorf("want an error, got:\n%s", diags.Error())
	}
}

// TestCNIRolePointsAtNodeRole: what the CNI role and its IPv6 policy are
// reported at is the spec value that asked for them, not the cluster.
func TestCNIRolePointsAtNodeRole(t *testing.T) {
	m, diags := build(t, base+"nodeRole:\n  cni: separate-role\n  ipFamily: ipv6\n")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	cni := role(t, m, "kube-system", "aws-node")
	if got := m.PosOf(cni); got.Line != 7 || got.Col != 8 {
		t.Errorf("the CNI role is at %s, want nodeRole.cni (7:8)", got)
	}
	for _, s := range cni.InlinePolicies[0].Document.Statements {
		if s.Pos.Line != 8 || s.Preset != OwnDocument {
			t.Errorf("IPv6 statement %s at %s (preset %q), want nodeRole.ipFamily (line 8), eksiam's own", s.Sid, s.Pos, s.Preset)
		}
	}
}

// TestKarpenterPassesTheSpecsNodeRole: without nodeRoleArns, the karpenter
// preset passes the spec's own node role, by a reference to it that
// resolves to its ARN (name and path included); without a node role, that
// is an error saying what to set.
func TestKarpenterPassesTheSpecsNodeRole(t *testing.T) {
	m, diags := build(t, base+"nodeRole:\n  path: /eks/\nserviceAccounts:\n  - namespace: kube-system\n    name: karpenter\n    presets: [karpenter]\n")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	var passRole []string
	for _, p := range role(t, m, "kube-system", "karpenter").InlinePolicies {
		for _, s := range p.Document.Statements {
			if slices.Contains(s.Actions, "iam:PassRole") {
				for _, r := range s.Resources {
					passRole = append(passRole, r.String())
				}
			}
		}
	}
	if want := "${nodeRoleArn}"; !slices.Equal(passRole, []string{want}) {
		t.Errorf("iam:PassRole on %v, want [%s]", passRole, want)
	}
	value := func(r Ref) string {
		if r == RefAccount {
			return "111122223333"
		}
		return m.Value(r)
	}
	if got, want := m.NodeRoleARN(value), "arn:aws:iam::111122223333:role/eks/shop-prod-node"; got != want {
		t.Errorf("the node role reference resolves to %s, want %s", got, want)
	}
	_, diags = build(t, base+"nodeRole:\n  enabled: false\nserviceAccounts:\n  - namespace: kube-system\n    name: karpenter\n    presets: [karpenter]\n")
	if want := "s.yaml:11:15: ServiceAccount kube-system/karpenter uses karpenter, whose presetOptions.nodeRoleArns defaults to the spec's node role, but nodeRole.enabled is false"; !strings.Contains(diags.Error(), want) {
		t.Errorf("want %q, got:\n%s", want, diags.Error())
	}
}

// nodeRoles builds a spec with nodeRoles and returns its node roles by
// name.
func nodeRoles(t *testing.T, spec string) (*Model, map[string]*Role) {
	t.Helper()
	m, diags := build(t, spec)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	out := map[string]*Role{}
	for _, r := range m.NodeRoles {
		out[r.Node.Name] = r
	}
	return m, out
}

func managedNames(r *Role) string {
	var names []string
	for _, a := range r.ManagedPolicyARNs {
		s := a.String()
		names = append(names, s[strings.LastIndex(s, "/")+1:])
	}
	return strings.Join(names, " ")
}

// TestNodeRoleKinds: each kind gets the trust, policies and access entry
// that AWS documents for it (aws-facts.md, Turn 2 facts; the EKS user
// guide's hybrid-nodes-creds for hybrid nodes), names from {nodeRole},
// and ids that keep the default role's resource names.
func TestNodeRoleKinds(t *testing.T) {
	const anchor = "arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/4a5b"
	m, roles := nodeRoles(t, base+`  accountId: "111122223333"
nodeRoles:
  - name: default
  - name: karpenter
    nodeGroups: []
  - name: win
    os: windows
    nodeGroups: []
  - name: auto
    kind: auto-mode
  - name: auto-class
    kind: auto-mode
    accessEntry: true
  - name: onprem
    kind: hybrid
    hybrid: {credentials: ssm}
  - name: pki
    kind: hybrid
    hybrid: {credentials: iam-roles-anywhere, trustAnchorArn: "`+anchor+`"}
`)
	for _, c := range []struct {
		name, id, roleName, managed, entry string
	}{
		{"default", "node", "shop-prod-default-node", "AmazonEC2ContainerRegistryPullOnly AmazonEKSWorkerNodePolicy", ""},
		{"karpenter", "node_karpenter", "shop-prod-karpenter-node", "AmazonEC2ContainerRegistryPullOnly AmazonEKSWorkerNodePolicy", "EC2_LINUX"},
		{"win", "node_win", "shop-prod-win-node", "AmazonEC2ContainerRegistryPullOnly AmazonEKSWorkerNodePolicy", "EC2_WINDOWS"},
		{"auto", "node_auto", "shop-prod-auto-node", "AmazonEC2ContainerRegistryPullOnly AmazonEKSWorkerNodeMinimalPolicy", ""},
		{"auto-class", "node_auto_class", "shop-prod-auto-class-node", "AmazonEC2ContainerRegistryPullOnly AmazonEKSWorkerNodeMinimalPolicy", "EC2"},
		{"onprem", "node_onprem", "shop-prod-onprem-node", "AmazonEC2ContainerRegistryPullOnly AmazonSSMManagedInstanceCore", "HYBRID_LINUX"},
		{"pki", "node_pki", "shop-prod-pki-node", "AmazonEC2ContainerRegistryPullOnly", "HYBRID_LINUX"},
	} {
		r := roles[c.name]
		if r == nil {
			t.Fatalf("no node role %s", c.name)
		}
		if r.ID != c.id || r.Name.Resolve(m.Value) != c.roleName {
			t.Errorf("%s: id %s, name %s; want %s, %s", c.name, r.ID, r.Name.String(), c.id, c.roleName)
		}
		if got := managedNames(r); got != c.managed {
			t.Errorf("%s: managed policies %s, want %s", c.name, got, c.managed)
		}
		got := ""
		if r.Node.AccessEntry != nil {
			got = r.Node.AccessEntry.Type
		}
		if got != c.entry {
			t.Errorf("%s: access entry %q, want %q", c.name, got, c.entry)
		}
	}
	if e := roles["auto-class"].Node.AccessEntry; len(e.PolicyARNs) != 1 || e.PolicyARNs[0].String() != "arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSAutoNodePolicy" {
		t.Errorf("Auto Mode node class entry policies: %v", e.PolicyARNs)
	}
	trust := func(name string) string { return roles[name].AssumeRolePolicy.JSON(Expr.String) }
	if got := trust("onprem"); !strings.Contains(got, `"Service":"ssm.amazonaws.com"`) || !strings.Contains(got, `"aws:SourceAccount":"111122223333"`) ||
		!strings.Contains(got, `"aws:SourceArn":"arn:${partition}:ssm:${region}:111122223333:*"`) {
		t.Errorf("SSM hybrid trust: %s", got)
	}
	if got := trust("pki"); !strings.Contains(got, `"Service":"rolesanywhere.amazonaws.com"`) || strings.Count(got, anchor) != 2 ||
		!strings.Contains(got, `"sts:RoleSessionName":"${aws:PrincipalTag/x509Subject/CN}"`) || !strings.Contains(got, `"sts:SetSourceIdentity"`) {
		t.Errorf("Roles Anywhere hybrid trust: %s", got)
	}
	if got := roles["onprem"].InlinePolicies[0].Document.JSON(Expr.String); !strings.Contains(got, `"ssm:resourceTag/EKSClusterARN":"arn:${partition}:eks:${region}:111122223333:cluster/${cluster}"`) {
		t.Errorf("SSM hybrid role deregisters more than this cluster's instances: %s", got)
	}
	if got := roles["pki"].InlinePolicies[0].Document.JSON(Expr.String); strings.Contains(got, "ssm:") {
		t.Errorf("Roles Anywhere hybrid role has SSM permissions: %s", got)
	}
	if roles["auto"].InstanceProfile || roles["onprem"].InstanceProfile || !roles["karpenter"].InstanceProfile {
		t.Errorf("instance profiles: auto %v, onprem %v, karpenter %v", roles["auto"].InstanceProfile, roles["onprem"].InstanceProfile, roles["karpenter"].InstanceProfile)
	}
}

// TestKarpenterPassesTheNamedNodeRole: with several EC2 node roles, the
// karpenter preset passes the one named karpenter.
func TestKarpenterPassesTheNamedNodeRole(t *testing.T) {
	m, roles := nodeRoles(t, base+"nodeRoles:\n  - name: default\n  - name: karpenter\n    nodeGroups: []\nserviceAccounts:\n  - namespace: kube-system\n    name: karpenter\n    presets: [karpenter]\n")
	if m.PassedNodeRole() != roles["karpenter"] {
		t.Errorf("passed node role %v, want karpenter's", m.PassedNodeRole())
	}
	_, diags := build(t, base+"nodeRoles:\n  - name: a\n  - name: b\n    nodeGroups: []\nserviceAccounts:\n  - namespace: kube-system\n    name: karpenter\n    presets: [karpenter]\n")
	if want := "none named karpenter or default: set presetOptions.nodeRoleArns"; !strings.Contains(diags.Error(), want) {
		t.Errorf("want %q, got %s", want, diags.Error())
	}
}

// TestNodeRoleResourceNamesClash: a node role whose resource names another
// role's take is an error, never two resources of one name (a node role
// x and a ServiceAccount node/x are both NodeXRole in CloudFormation).
func TestNodeRoleResourceNamesClash(t *testing.T) {
	for _, c := range []struct{ spec, want string }{
		{base + "nodeRoles:\n  - name: a-b\n    nodeGroups: []\n  - name: a--b\n    nodeGroups: []\n", "node role a-b and node role a--b map to the same resource names"},
		{base + "nodeRoles:\n  - name: x\nserviceAccounts:\n  - namespace: node\n    name: x\n    managedPolicyArns: [\"arn:${partition}:iam::aws:policy/ReadOnlyAccess\"]\n", "node role x and ServiceAccount node/x map to the same resource names"},
	} {
		_, diags := build(t, c.spec)
		if !strings.Contains(diags.Error(), c.want) {
			t.Errorf("want %q, got:\n%s", c.want, diags.Error())
		}
	}
}

// TestDisabledListedNodeRole: enabled: false leaves a listed node role out.
func TestDisabledListedNodeRole(t *testing.T) {
	m, roles := nodeRoles(t, base+"nodeRoles:\n  - name: a\n  - name: b\n    enabled: false\n")
	if len(m.NodeRoles) != 1 || roles["a"] == nil {
		t.Errorf("node roles %v, want a only", roles)
	}
}
