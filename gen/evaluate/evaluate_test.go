package evaluate

import (
	"strings"
	"testing"

	"github.com/eksiam/eksiam/gen/iam"
	"github.com/eksiam/eksiam/schema"
)

// Pages of the IAM User Guide the cases follow.
const (
	docLogic      = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"
	docOperators  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"
	docMulti      = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html"
	docNotAction  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"
	docNotRes     = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html"
	docAction     = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html"
	docVariables  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html"
	docBoundaries = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html"
	docSession    = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session"
	docPodIDABAC  = "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html"
	docIRSATrust  = "https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html"
)

const head = "version: 1\nproject: shop\nenvironment: prod\ncluster:\n  region: eu-west-1\n  accountId: \"111122223333\"\nnodeRole: {enabled: false}\n"

func model(t *testing.T, spec string) *iam.Model {
	t.Helper()
	s, diags := schema.Load("s.yaml", []byte(spec))
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	m, diags := iam.Build(s)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return m
}

func podRole(t *testing.T, m *iam.Model, ns, sa string) *iam.Role {
	t.Helper()
	for _, r := range m.PodRoles {
		if r.Namespace == ns && r.ServiceAccount == sa {
			return r
		}
	}
	t.Fatalf("no role for %s/%s", ns, sa)
	return nil
}

// TestCall holds Call to IAM's documented evaluation logic, case by case.
func TestCall(t *testing.T) {
	for _, c := range []struct {
		name, doc, policy string
		req               Request
		want              Result
		sid               string
	}{
		{"allow", docLogic, "      - {sid: Read, actions: [s3:GetObject], resources: [\"arn:aws:s3:::b/*\"]}\n",
			Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, Allowed, "Read"},
		{"implicit deny", docLogic, "      - {actions: [s3:GetObject], resources: [\"arn:aws:s3:::b/*\"]}\n",
			Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::other/k"}, ImplicitDeny, ""},
		{"explicit deny wins", docLogic, "      - {sid: Any, actions: [\"s3:*\"], resources: [\"*\"]}\n      - {sid: NoDelete, effect: Deny, actions: [s3:DeleteObject], resources: [\"*\"]}\n",
			Request{Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/k"}, ExplicitDeny, "NoDelete"},
		{"actions ignore case, wildcards", docAction, "      - {sid: Get, actions: [\"s3:getobj*\"], resources: [\"*\"]}\n",
			Request{Action: "s3:GetObjectTagging", Resource: "arn:aws:s3:::b/k"}, Allowed, "Get"},
		{"resources are case-sensitive", docLogic, "      - {actions: [s3:GetObject], resources: [\"arn:aws:s3:::b/K\"]}\n",
			Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, ImplicitDeny, ""},
		{"NotAction with Allow", docNotAction, "      - {sid: NotIAM, notActions: [\"iam:*\"], resources: [\"*\"]}\n",
			Request{Action: "iam:PassRole", Resource: "arn:aws:iam::111122223333:role/x"}, ImplicitDeny, ""},
		{"NotAction allows the others", docNotAction, "      - {sid: NotIAM, notActions: [\"iam:*\"], resources: [\"*\"]}\n",
			Request{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:eu-west-1:111122223333:q"}, Allowed, "NotIAM"},
		{"NotResource", docNotRes, "      - {sid: NotSecret, actions: [\"s3:GetObject\"], notResources: [\"arn:aws:s3:::b/secret/*\"]}\n",
			Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/secret/x"}, ImplicitDeny, ""},
		{"policy variable from the session tags", docPodIDABAC,
			"      - {sid: Own, actions: [s3:GetObject], resources: [\"arn:aws:s3:::b/${aws:PrincipalTag/kubernetes-namespace}/*\"]}\n",
			Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/a/k"}, Allowed, "Own"},
		{"policy variable: another namespace's objects", docPodIDABAC,
			"      - {actions: [s3:GetObject], resources: [\"arn:aws:s3:::b/${aws:PrincipalTag/kubernetes-namespace}/*\"]}\n",
			Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/other/k"}, ImplicitDeny, ""},
		{"policy variable without a value matches nothing", docVariables,
			"      - {actions: [s3:GetObject], resources: [\"arn:aws:s3:::b/${aws:username}/*\"]}\n",
			Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/${aws:username}/k"}, ImplicitDeny, ""},
		{"escape ${*} is a literal star", docVariables,
			"      - {sid: Star, actions: [s3:GetObject], resources: [\"arn:aws:s3:::b/${*}\"]}\n",
			Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*"}, Allowed, "Star"},
		{"escape ${*} is no wildcard", docVariables,
			"      - {actions: [s3:GetObject], resources: [\"arn:aws:s3:::b/${*}\"]}\n",
			Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, ImplicitDeny, ""},
	} {
		m := model(t, head+"serviceAccounts:\n  - namespace: a\n    name: b\n    policy:\n"+c.policy)
		r := podRole(t, m, "a", "b")
		env := Env{Value: m.Value}
		c.req.Context = SessionContext(m, r, m.Value, c.req.Context)
		d := Call(r, c.req, env)
		if d.Result != c.want {
			t.Errorf("%s (%s): %s, want %s", c.name, c.doc, d.Result, c.want)
			continue
		}
		if c.sid != "" && (d.By == nil || d.By.Sid != c.sid || d.By.Pos.Line == 0) {
			t.Errorf("%s: decided by %+v, want sid %s with its spec position", c.name, d.By, c.sid)
		}
	}
}

// TestConditionOperators covers every condition operator IAM has, its
// IfExists form and the set qualifiers, against IAM's documentation.
func TestConditionOperators(t *testing.T) {
	ctx := map[string][]string{
		"s": {"Value"}, "n": {"10"}, "d": {"2026-12-06T12:00:00Z"}, "b": {"true"},
		"bin": {"aGVsbG8="}, "ip": {"10.1.2.3"}, "arn": {"arn:aws:iam::111122223333:role/app"},
		"multi": {"a", "b"}, "empty": {},
	}
	vars := variables(ctx)
	for _, c := range []struct {
		op, key string
		values  []string
		want    bool
		doc     string
	}{
		{"StringEquals", "s", []string{"Value"}, true, docOperators},
		{"StringEquals", "s", []string{"value"}, false, docOperators},
		{"StringNotEquals", "s", []string{"other"}, true, docOperators},
		{"StringEqualsIgnoreCase", "s", []string{"VALUE"}, true, docOperators},
		{"StringNotEqualsIgnoreCase", "s", []string{"VALUE"}, false, docOperators},
		{"StringLike", "s", []string{"V*"}, true, docOperators},
		{"StringNotLike", "s", []string{"x*"}, true, docOperators},
		{"NumericEquals", "n", []string{"10"}, true, docOperators},
		{"NumericNotEquals", "n", []string{"10"}, false, docOperators},
		{"NumericLessThan", "n", []string{"11"}, true, docOperators},
		{"NumericLessThanEquals", "n", []string{"10"}, true, docOperators},
		{"NumericGreaterThan", "n", []string{"10"}, false, docOperators},
		{"NumericGreaterThanEquals", "n", []string{"10"}, true, docOperators},
		{"DateEquals", "d", []string{"2026-12-06T12:00:00Z"}, true, docOperators},
		{"DateNotEquals", "d", []string{"2026-12-06T12:00:00Z"}, false, docOperators},
		{"DateLessThan", "d", []string{"2027-01-01T00:00:00Z"}, true, docOperators},
		{"DateLessThanEquals", "d", []string{"2026-12-06T12:00:00Z"}, true, docOperators},
		{"DateGreaterThan", "d", []string{"2026-01-01"}, true, docOperators},
		{"DateGreaterThanEquals", "d", []string{"1800000000"}, false, docOperators},
		{"Bool", "b", []string{"True"}, true, docOperators},
		{"BinaryEquals", "bin", []string{"aGVsbG8="}, true, docOperators},
		{"IpAddress", "ip", []string{"10.1.0.0/16"}, true, docOperators},
		{"NotIpAddress", "ip", []string{"10.1.0.0/16"}, false, docOperators},
		{"ArnEquals", "arn", []string{"arn:aws:iam::111122223333:role/app"}, true, docOperators},
		{"ArnLike", "arn", []string{"arn:aws:iam::*:role/a*"}, true, docOperators},
		{"ArnNotEquals", "arn", []string{"arn:aws:iam::111122223333:role/app"}, false, docOperators},
		{"ArnNotLike", "arn", []string{"arn:aws:iam::*:role/x*"}, true, docOperators},
		{"Null", "absent", []string{"true"}, true, docOperators},
		{"Null", "s", []string{"true"}, false, docOperators},
		{"Null", "s", []string{"false"}, true, docOperators},
		{"StringEquals", "absent", []string{"x"}, false, docOperators},
		{"StringEqualsIfExists", "absent", []string{"x"}, true, docOperators},
		{"StringEqualsIfExists", "s", []string{"x"}, false, docOperators},
		{"ForAllValues:StringEquals", "multi", []string{"a", "b", "c"}, true, docMulti},
		{"ForAllValues:StringEquals", "multi", []string{"a"}, false, docMulti},
		{"ForAllValues:StringEquals", "absent", []string{"a"}, true, docMulti},
		{"ForAllValues:StringEquals", "empty", []string{"a"}, true, docMulti},
		{"ForAnyValue:StringEquals", "multi", []string{"b", "z"}, true, docMulti},
		{"ForAnyValue:StringEquals", "multi", []string{"z"}, false, docMulti},
		{"ForAnyValue:StringEquals", "absent", []string{"a"}, false, docMulti},
		{"ForAllValues:StringNotEquals", "multi", []string{"z"}, true, docMulti},
		{"ForAnyValue:StringNotEquals", "multi", []string{"a"}, true, docMulti},
		{"StringNotEquals", "absent", []string{"x"}, true, docOperators}, // a negated operator holds without the key
		{"ArnNotLike", "absent", []string{"arn:*"}, true, docOperators},
		{"NotIpAddress", "absent", []string{"10.0.0.0/8"}, true, docOperators},
		{"ForAnyValue:StringNotEquals", "absent", []string{"a"}, false, docMulti},
		{"StringNotEquals", "multi", []string{"a"}, false, docMulti}, // some value matches: the negation fails
		{"StringNotEquals", "multi", []string{"z"}, true, docMulti},
		{"ForAnyValue:StringNotEquals", "multi", []string{"a", "b"}, false, docMulti},
		{"ArnLike", "arn", []string{"arn:aws:iam::*"}, false, docOperators}, // * stays within its part of the ARN
		{"StringLike", "s", []string{"${*}"}, false, docVariables},          // ${*} is a literal star
		{"StringEquals", "S", []string{"Value"}, true, docOperators},        // keys ignore case
		{"StringEquals", "s", []string{"${s}"}, true, docVariables},
	} {
		got := condition{operator: c.op, key: c.key, values: c.values}.holds(ctx, vars)
		if got != c.want {
			t.Errorf("%s %s %v: %v, want %v (%s)", c.op, c.key, c.values, got, c.want, c.doc)
		}
	}
	seen := map[string]bool{}
	for _, op := range Operators {
		seen[op] = true
	}
	for _, c := range []string{"StringEquals", "Null", "BinaryEquals"} {
		if !seen[c] {
			t.Errorf("Operators lacks %s", c)
		}
	}
}

// TestLimits: a permissions boundary and a session policy limit what the
// identity policies allow; content eksiam does not know makes the answer
// unknown, never allowed.
func TestLimits(t *testing.T) {
	m := model(t, head+`serviceAccounts:
  - namespace: a
    name: b
    trust: account
    sessionTags: false
    permissionsBoundary: "arn:${partition}:iam::${account}:policy/boundary"
    managedPolicyArns: ["arn:${partition}:iam::aws:policy/AmazonS3ReadOnlyAccess"]
    policy:
      - {actions: ["sqs:*"], resources: ["*"]}
    sessionPolicy:
      - {actions: [sqs:SendMessage], resources: ["*"]}
`)
	r := podRole(t, m, "a", "b")
	boundary := iam.Document{Statements: []iam.Statement{{Effect: "Allow", Actions: []string{"sqs:SendMessage", "sqs:ReceiveMessage"}, Resources: []iam.Expr{iam.Lit("*")}}}}
	s3read := iam.Document{Statements: []iam.Statement{{Effect: "Allow", Actions: []string{"s3:Get*", "s3:List*"}, Resources: []iam.Expr{iam.Lit("*")}}}}
	known := Env{Value: m.Value, Managed: map[string]iam.Document{
		"arn:aws:iam::111122223333:policy/boundary":      boundary,
		"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess": s3read,
	}}
	noManaged := Env{Value: m.Value, Managed: map[string]iam.Document{"arn:aws:iam::111122223333:policy/boundary": boundary}}
	q := "arn:aws:sqs:eu-west-1:111122223333:q"
	for _, c := range []struct {
		name, doc string
		env       Env
		action    string
		want      Result
		limit     string
	}{
		{"allowed by all three", docSession, known, "sqs:SendMessage", Allowed, ""},
		{"refused by the session policy", docSession, known, "sqs:ReceiveMessage", ImplicitDeny, "session policy"},
		{"refused by the boundary", docBoundaries, known, "sqs:DeleteQueue", ImplicitDeny, "permissions boundary"},
		{"boundary not known", docBoundaries, Env{Value: m.Value}, "sqs:SendMessage", Unknown, "permissions boundary"},
		{"managed policy not known", docLogic, noManaged, "s3:GetObject", Unknown, ""},
		{"allowed, unless the unknown managed policy denies", docLogic, noManaged, "sqs:SendMessage", Unknown, ""},
		{"a Deny of the boundary decides", docBoundaries, Env{Value: m.Value, Managed: map[string]iam.Document{
			"arn:aws:iam::111122223333:policy/boundary": {Statements: []iam.Statement{
				{Effect: "Allow", Actions: []string{"sqs:*"}, Resources: []iam.Expr{iam.Lit("*")}},
				{Effect: "Deny", Actions: []string{"sqs:SendMessage"}, Resources: []iam.Expr{iam.Lit("*")}}}},
			"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess": s3read,
		}}, "sqs:SendMessage", ExplicitDeny, "permissions boundary"},
	} {
		d := Call(r, Request{Action: c.action, Resource: q}, c.env)
		if d.Result != c.want || d.Limit != c.limit {
			t.Errorf("%s (%s): %s (limit %q), want %s (limit %q)", c.name, c.doc, d.Result, d.Limit, c.want, c.limit)
		}
	}
	if d := Call(r, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, noManaged); !strings.Contains(strings.Join(d.Unknown, " "), "AmazonS3ReadOnlyAccess") {
		t.Errorf("an unknown answer names what it depends on: %+v", d)
	}
}

// TestAssume: scoped Pod Identity trust takes this cluster, namespace and
// ServiceAccount only; IRSA trust the ServiceAccount's subject.
func TestAssume(t *testing.T) {
	m := model(t, head+`irsa:
  oidcProviderArn: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"
serviceAccounts:
  - namespace: a
    name: b
    mechanism: both
    policy: [{actions: [sqs:SendMessage], resources: ["*"]}]
`)
	r := podRole(t, m, "a", "b")
	env := Env{Value: m.Value}
	cluster := iam.ClusterARN().Resolve(m.Value)
	assume := func(reqs []Request) Result {
		for _, req := range reqs {
			if d := Assume(r, PodIdentityPrincipal, req, env); d.Result != Allowed {
				return d.Result
			}
		}
		return Allowed
	}
	for _, c := range []struct {
		name, doc, cluster, ns, sa string
		want                       Result
	}{
		{"its own ServiceAccount", docPodIDABAC, cluster, "a", "b", Allowed},
		{"another namespace", docPodIDABAC, cluster, "other", "b", ImplicitDeny},
		{"another cluster", docPodIDABAC, strings.Replace(cluster, "shop-prod", "other", 1), "a", "b", ImplicitDeny},
	} {
		if got := assume(PodIdentityRequests(c.cluster, c.ns, c.sa, true)); got != c.want {
			t.Errorf("Pod Identity, %s (%s): %s, want %s", c.name, c.doc, got, c.want)
		}
	}
	issuer := "oidc.eks.eu-west-1.amazonaws.com/id/ABC"
	provider := FederatedPrefix + "arn:aws:iam::111122223333:oidc-provider/" + issuer
	if d := Assume(r, provider, IRSARequest(issuer, "system:serviceaccount:a:b"), env); d.Result != Allowed {
		t.Errorf("IRSA for its ServiceAccount (%s): %s", docIRSATrust, d.Result)
	}
	if d := Assume(r, provider, IRSARequest(issuer, "system:serviceaccount:a:other"), env); d.Result != ImplicitDeny {
		t.Errorf("IRSA for another ServiceAccount (%s): %s", docIRSATrust, d.Result)
	}
	if d := Assume(r, "Service:ec2.amazonaws.com", Request{Action: "sts:AssumeRole"}, env); d.Result != ImplicitDeny {
		t.Errorf("EC2 may not take a pod role: %s", d.Result)
	}
}

// TestCallPod: a pod of a ServiceAccount with mechanism both may come
// through Pod Identity (with session tags) or IRSA (without): where the two
// differ the answer is unknown; with a target role the pod's calls are
// the target role's, which eksiam does not have.
func TestCallPod(t *testing.T) {
	m := model(t, head+`irsa:
  oidcProviderArn: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"
serviceAccounts:
  - namespace: a
    name: both
    mechanism: both
    policy:
      - {actions: [s3:GetObject], resources: ["arn:aws:s3:::b/${aws:PrincipalTag/kubernetes-namespace}/*"]}
      - {actions: [sqs:SendMessage], resources: ["*"]}
  - namespace: a
    name: cross
    targetRoleArn: "arn:aws:iam::444455556666:role/target"
    policy: [{actions: [sqs:SendMessage], resources: ["*"]}]
`)
	env := Env{Value: m.Value}
	both := podRole(t, m, "a", "both")
	if d := CallPod(m, both, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/a/k"}, env); d.Result != Unknown || d.Limit != "mechanism" {
		t.Errorf("a tag-scoped call with mechanism both: %+v, want unknown (mechanism)", d)
	}
	if d := CallPod(m, both, Request{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:eu-west-1:111122223333:q"}, env); d.Result != Allowed {
		t.Errorf("a call both ways allow: %s", d.Result)
	}
	cross := podRole(t, m, "a", "cross")
	if d := CallPod(m, cross, Request{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:eu-west-1:444455556666:q"}, env); d.Result != Unknown || d.Limit != "target role" {
		t.Errorf("a call with a target role: %+v, want unknown (target role)", d)
	}
	if d := CallPod(m, cross, Request{Action: "sts:AssumeRole", Resource: "arn:aws:iam::444455556666:role/target"}, env); d.Result != Allowed {
		t.Errorf("the pod role may assume its target role: %s", d.Result)
	}
}
