package schema

import (
	"fmt"
	"strings"
	"testing"
)

func load(t *testing.T, src string) (*Spec, string) {
	t.Helper()
	spec, diags := Load("s.yaml", []byte(src))
	return spec, diags.Error()
}

const minimal = "version: 1\nproject: shop\nenvironment: prod\ncluster:\n  region: eu-west-1\n"

func TestDefaults(t *testing.T) {
	spec, errs := load(t, minimal)
	if errs != "" {
		t.Fatalf("unexpected diagnostics:\n%s", errs)
	}
	checks := []struct{ name, got, want string }{
		{"cluster.name", spec.Cluster.Name.Value, "shop-prod"},
		{"cluster.partition", spec.Cluster.Partition.Value, "aws"},
		{"naming.nodeRole", spec.Naming.NodeRole.Value, DefaultNodeRoleName},
		{"naming.podRole", spec.Naming.PodRole.Value, DefaultPodRoleName},
		{"nodeRole.policy", spec.NodeRole.Policy.Value, PolicyManaged},
		{"nodeRole.ecr", spec.NodeRole.ECR.Value, ECRPullOnly},
		{"nodeRole.cni", spec.NodeRole.CNI.Value, CNISeparateRole},
		{"nodeRole.ipFamily", spec.NodeRole.IPFamily.Value, IPv4},
		{"nodeRole.path", spec.NodeRole.Path.Value, "/"},
		{"nodeRole.nodeGroups[0]", spec.NodeRole.NodeGroups[0].Value, "default"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !spec.NodeRole.Enabled.Value || !spec.NodeRole.InstanceProfile.Value || spec.NodeRole.SSM.Value {
		t.Errorf("node role booleans: enabled=%v instanceProfile=%v ssm=%v", spec.NodeRole.Enabled.Value, spec.NodeRole.InstanceProfile.Value, spec.NodeRole.SSM.Value)
	}
}

func TestServiceAccountDefaults(t *testing.T) {
	spec, errs := load(t, minimal+"serviceAccounts:\n  - namespace: a\n    name: b\n  - namespace: c\n    name: d\n    mechanism: irsa\nirsa: {}\n")
	if errs != "" {
		t.Fatal(errs)
	}
	pi, irsa := spec.ServiceAccounts[0], spec.ServiceAccounts[1]
	if pi.Mechanism.Value != MechanismPodIdentity || pi.Trust.Value != TrustScoped || !pi.SessionTags.Value || pi.MaxSessionDuration.Value != 3600 {
		t.Errorf("pod identity defaults: %+v", pi)
	}
	if irsa.Trust.Value != "" || irsa.SessionTags.Value {
		t.Errorf("an IRSA ServiceAccount got Pod Identity defaults: trust=%q sessionTags=%v", irsa.Trust.Value, irsa.SessionTags.Value)
	}
}

func TestPartitionFromRegion(t *testing.T) {
	for region, want := range map[string]string{
		"cn-northwest-1": "aws-cn", "us-gov-east-1": "aws-us-gov", "eu-west-1": "aws", "ap-southeast-5": "aws", "xx-new-1": "",
	} {
		if got := PartitionOf(region); got != want {
			t.Errorf("PartitionOf(%q) = %q, want %q", region, got, want)
		}
	}
}

// TestErrors pins single mistakes to their message and position.
func TestErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown region needs a partition", strings.Replace(minimal, "eu-west-1", "xx-new-1", 1),
			`s.yaml:5:11: cluster.region "xx-new-1" is not a region eksiam knows: set cluster.partition`},
		{"partition contradicts region", minimal + "", ""},
		{"account id is digits", strings.Replace(minimal, "region: eu-west-1", "region: eu-west-1\n  accountId: \"1234\"", 1),
			`s.yaml:6:14: cluster.accountId "1234" must be 12 digits`},
		{"version must be 1", strings.Replace(minimal, "version: 1", "version: 2", 1), `s.yaml:1:10: version must be 1`},
		{"project too long", strings.Replace(minimal, "shop", strings.Repeat("a", 33), 1), `is 33 characters; the limit is 32`},
		{"duplicate key", minimal + "project: other\n", `s.yaml:6:1: spec: project is set twice (first at line 2)`},
		{"template placeholder", minimal + "naming:\n  nodeRole: \"{projet}-node\"\n", `unknown placeholder {projet} (did you mean "project"?)`},
		{"node template may not use namespace", minimal + "naming:\n  nodeRole: \"{namespace}-node\"\n", `naming.nodeRole: unknown placeholder {namespace}`},
		{"template characters", minimal + "naming:\n  podRole: \"{namespace}/{serviceAccount}\"\n", `has characters IAM does not allow`},
		{"placeholder in tags", minimal + "tags:\n  env: \"${environment}\"\n", `s.yaml:7:8: tags.env: placeholders are not allowed in tags`},
		{"reserved tag prefix", minimal + "tags:\n  aws:team: x\n", `uses the prefix aws:, which AWS reserves`},
		{"tag key of 128 characters", minimal + "tags:\n  " + strings.Repeat("é", 128) + ": x\n", ""},
		{"tag key of 129 characters", minimal + "tags:\n  " + strings.Repeat("k", 129) + ": x\n", `must be 1 to 128 letters`},
		{"tag key characters", minimal + "tags:\n  a*b: x\n", `must be 1 to 128 letters`},
		{"tag value of 256 characters", minimal + "tags:\n  k: " + strings.Repeat("ü", 256) + "\n", ""},
		{"tag value of 257 characters", minimal + "tags:\n  k: " + strings.Repeat("v", 257) + "\n", `value must be at most 256`},
		{"tag value characters", minimal + "tags:\n  k: a*b\n", `value must be at most 256`},
		{"not an ARN", minimal + "nodeRole:\n  additionalPolicyArns: [AmazonS3ReadOnlyAccess]\n", `nodeRole.additionalPolicyArns[0] "AmazonS3ReadOnlyAccess" is not an ARN`},
		{"bad path", minimal + "nodeRole:\n  path: eks\n", `nodeRole.path "eks" must start and end with /`},
		{"principals are eksiam's", minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    policy:\n      - principals: x\n        actions: [s3:GetObject]\n        resources: ['*']\n",
			`principals cannot be set`},
		{"statement needs resources", minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    policy:\n      - actions: [s3:GetObject]\n",
			`s.yaml:10:9: serviceAccounts[0].policy[0] needs resources (or notResources)`},
		{"both actions and notActions", minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    policy:\n      - actions: [s3:GetObject]\n        notActions: [s3:PutObject]\n        resources: ['*']\n",
			`has both actions and notActions`},
		{"placeholder in condition key", minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    policy:\n      - actions: [s3:GetObject]\n        resources: ['*']\n        condition:\n          StringEquals: {\"${project}/x\": a}\n",
			`condition key "${project}/x" must be a plain key`},
		{"nested placeholder", minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    managedPolicyArns: [\"arn:${partition}:iam::aws:policy/${aws:a${region}}\"]\n",
			`has a ${ inside ${...}: placeholders and IAM policy variables do not nest`},
		{"unterminated placeholder", minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    managedPolicyArns: [\"arn:${partition:iam::aws:policy/X\"]\n",
			`unterminated ${`},
		{"session policy needs session tags off", minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    trust: account\n    sessionPolicy:\n      - actions: [s3:GetObject]\n        resources: ['*']\n",
			`sessionPolicy needs sessionTags: false`},
		{"both needs a provider ARN", minimal + "irsa: {}\nserviceAccounts:\n  - namespace: a\n    name: b\n    mechanism: both\n",
			`uses mechanism: both, which needs irsa.oidcProviderArn set`},
		{"irsa provider ARN shape", minimal + "irsa:\n  oidcProviderArn: \"arn:aws:iam::111122223333:role/x\"\n",
			`irsa.oidcProviderArn must be an OIDC provider ARN`},
		{"unknown preset", minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    presets: [external-dsn]\n",
			`s.yaml:9:15: serviceAccounts[0].presets: unknown preset "external-dsn" (did you mean "external-dns"?)`},
		{"unknown preset version", minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    presets: [karpenter@1.2]\n",
			`s.yaml:9:15: serviceAccounts[0].presets: preset karpenter has no version "1.2" (did you mean "1.7"?); its versions are 1.14, 1.7`},
		{"one-version preset pinned to another", minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    presets: [velero@1.0]\n",
			`preset velero has no version "1.0" (did you mean "1.13"?); its versions are 1.13`},
		{"an option that needs another", minimal + "serviceAccounts:\n  - namespace: kube-system\n    name: cni\n    presets: [vpc-cni]\n    presetOptions: {clusterScoped: [\"true\"]}\n",
			`s.yaml:9:15: serviceAccounts[0].presets: vpc-cni with presetOptions.clusterScoped needs presetOptions.vpcIds: The cluster's VPCs`},
		{"nodeRole and nodeRoles", minimal + "nodeRole: {ssm: true}\nnodeRoles:\n  - name: a\n",
			`s.yaml:7:1: nodeRoles and nodeRole are both set`},
		{"node role without a name", minimal + "nodeRoles:\n  - kind: ec2\n",
			`s.yaml:7:5: nodeRoles[0] needs a name`},
		{"node role names unique", minimal + "nodeRoles:\n  - name: a\n    nodeGroups: []\n  - name: a\n    nodeGroups: []\n",
			`s.yaml:9:11: nodeRoles[1].name "a" is used twice`},
		{"several node roles need {nodeRole}", minimal + "naming: {nodeRole: \"{project}-node\"}\nnodeRoles:\n  - name: a\n  - name: b\n",
			`naming.nodeRole "{project}-node" names every node role alike; add {nodeRole}`},
		{"field that a kind does not take", minimal + "nodeRoles:\n  - name: auto\n    kind: auto-mode\n    cni: node-role\n    instanceProfile: true\n",
			`s.yaml:9:10: nodeRoles[0].cni does not apply to kind auto-mode`},
		{"os only for ec2", minimal + "nodeRoles:\n  - name: onprem\n    kind: hybrid\n    os: windows\n    hybrid: {credentials: ssm}\n",
			`nodeRoles[0].os does not apply to kind hybrid`},
		{"hybrid needs credentials", minimal + "nodeRoles:\n  - name: onprem\n    kind: hybrid\n",
			`nodeRoles[0] is a hybrid node role and needs hybrid.credentials`},
		{"roles anywhere needs a trust anchor", minimal + "nodeRoles:\n  - name: onprem\n    kind: hybrid\n    hybrid: {credentials: iam-roles-anywhere}\n",
			`iam-roles-anywhere needs hybrid.trustAnchorArn`},
		{"trust anchor shape", minimal + "nodeRoles:\n  - name: onprem\n    kind: hybrid\n    hybrid: {credentials: iam-roles-anywhere, trustAnchorArn: \"arn:aws:iam::111122223333:role/x\"}\n",
			`must be a Roles Anywhere trust anchor ARN`},
		{"hybrid outside hybrid", minimal + "nodeRoles:\n  - name: a\n    hybrid: {credentials: ssm}\n",
			`nodeRoles[0].hybrid does not apply to kind ec2`},
		{"access entry beside managed node groups", minimal + "nodeRoles:\n  - name: a\n    accessEntry: true\n",
			`nodeRoles[0].accessEntry: true, but the role is for managed node groups`},
		{"one IP family", minimal + "nodeRoles:\n  - name: a\n    ipFamily: ipv6\n  - name: b\n    nodeGroups: []\n",
			`nodeRoles[1].ipFamily is ipv4 (the default), but nodeRoles[0]'s is ipv6`},
		{"node groups unique across roles", minimal + "nodeRoles:\n  - name: a\n    nodeGroups: [x]\n  - name: b\n    nodeGroups: [x]\n",
			`nodeRoles[1].nodeGroups: "x" is listed twice`},
		{"no SSM on Auto Mode", minimal + "nodeRoles:\n  - name: a\n    kind: auto-mode\n    ssm: true\n",
			`nodeRoles[0].ssm does not apply to kind auto-mode: Auto Mode nodes allow no SSM access`},
		{"one Auto Mode default role", minimal + "nodeRoles:\n  - name: a\n    kind: auto-mode\n  - name: b\n    kind: auto-mode\n",
			`nodeRoles[0] and nodeRoles[1] are both Auto Mode node roles without an access entry`},
		{"pod identity on windows", minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    runsOn: windows\n",
			`s.yaml:9:13: serviceAccounts[0] runs on Windows nodes, where EKS Pod Identity does not work; set mechanism: irsa`},
		{"pod identity on fargate", minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    runsOn: fargate\n",
			`runs on Fargate, where EKS Pod Identity does not work; set mechanism: irsa`},
		{"irsa on fargate", minimal + "irsa: {}\nserviceAccounts:\n  - namespace: a\n    name: b\n    mechanism: irsa\n    runsOn: fargate\n", ""},
		{"a listed role may be switched off", minimal + "nodeRoles:\n  - name: a\n    enabled: false\n    kind: nonsense\n", `kind must be one of`},
		{"access entry word or boolean", minimal + "nodeRoles:\n  - name: k\n    nodeGroups: []\n    accessEntry: false\n  - name: m\n    accessEntry: auto\n", ""},
		{"an option at its default needs nothing", minimal + "serviceAccounts:\n  - namespace: kube-system\n    name: cni\n    presets: [vpc-cni]\n    presetOptions: {clusterScoped: [\"false\"]}\n", ""},
		{"missing preset option", minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    presets: [external-dns]\n",
			`external-dns needs presetOptions.hostedZoneIds`},
		{"preset needs one of its options", minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    presets: [external-secrets]\n",
			`external-secrets needs at least one of presetOptions.secretArns, presetOptions.parameterArns`},
		{"bad preset option value", minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    presets: [external-dns]\n    presetOptions: {hostedZoneIds: [nope]}\n",
			`"nope" does not look like a value of hostedZoneIds`},
		{"not a mapping", "- a\n- b\n", `s.yaml:1:1: the spec must be a mapping`},
		{"syntax error at the problem", "version: 1\nproject: [a\nenvironment: b\n", `s.yaml:3:12: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 2, column 10)`},
		{"tag keys ignore case", minimal + "tags:\n  Team: a\n  team: b\n", `s.yaml:8:3: tags: team is set twice, ignoring case as AWS does (first at line 7)`},
		{"boundary is a policy", minimal + "nodeRole:\n  permissionsBoundary: \"arn:aws:iam::111122223333:role/x\"\n", `is not an IAM policy ARN`},
		{"managed policy is a policy", minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    managedPolicyArns: [\"arn:aws:s3:::bucket\"]\n", `is not an IAM policy ARN`},
		{"iso partition", strings.Replace(minimal, "eu-west-1", "us-isob-east-1", 1), `is in the aws-iso-b partition, which eksiam does not support`},
		{"sovereign cloud", strings.Replace(minimal, "eu-west-1", "eusc-de-east-1", 1), `is in the aws-eusc partition`},
		{"empty file", "", `s.yaml:1:1: the spec is empty`},
		{"unknown format", minimal + "formats: [terraform, eksctll]\n", `s.yaml:6:22: formats: unknown format "eksctll" (did you mean "eksctl"?): choose from terraform, cloudformation, eksctl`},
		{"format twice", minimal + "formats: [eksctl, EKSCTL]\n", `s.yaml:6:19: formats: eksctl is listed twice`},
		{"no format", minimal + "formats: []\n", `s.yaml:6:10: formats needs at least one of terraform, cloudformation, eksctl`},
		{"wrong type", minimal + "nodeRole:\n  ssm: yes please\n", `nodeRole.ssm must be true or false, not "yes please"`},
		{"yes is not a boolean", minimal + "nodeRole:\n  ssm: yes\n", `s.yaml:7:8: nodeRole.ssm must be true or false, not "yes"`},
		{"a quoted boolean is text", minimal + "nodeRole:\n  enabled: \"true\"\n", `nodeRole.enabled must be true or false, not "true"`},
		{"condition key twice", minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    policy:\n      - actions: [s3:GetObject]\n        resources: ['*']\n        condition:\n          StringEquals:\n            aws:PrincipalTag/team: a\n            aws:PrincipalTag/team: b\n",
			`s.yaml:15:13: serviceAccounts[0].policy[0].condition.StringEquals: condition key aws:PrincipalTag/team is set twice (first at line 14)`},
		{"condition key twice ignoring case", minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    policy:\n      - actions: [s3:GetObject]\n        resources: ['*']\n        condition:\n          StringEquals: {aws:PrincipalTag/team: a, AWS:principaltag/team: b}\n",
			`condition key AWS:principaltag/team is set twice`},
		{"condition operator twice", minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    policy:\n      - actions: [s3:GetObject]\n        resources: ['*']\n        condition:\n          StringEquals: {aws:PrincipalTag/a: x}\n          StringEquals: {aws:PrincipalTag/b: y}\n",
			`s.yaml:14:11: serviceAccounts[0].policy[0].condition: StringEquals is set twice (first at line 13)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := load(t, tc.src)
			if tc.want == "" {
				if errs != "" {
					t.Fatalf("unexpected diagnostics:\n%s", errs)
				}
				return
			}
			if !strings.Contains(errs, tc.want) {
				t.Errorf("diagnostics do not contain %q:\n%s", tc.want, errs)
			}
		})
	}
}

func TestAllErrorsAtOnceAndSorted(t *testing.T) {
	src := "version: 1\nproject: BAD\nenvironment: ''\ncluster:\n  region: nowhere\nnodeRole:\n  ecr: all\n"
	_, diags := Load("s.yaml", []byte(src))
	if len(diags) != 4 {
		t.Fatalf("want 4 diagnostics, got %d:\n%s", len(diags), diags.Error())
	}
	for i := 1; i < len(diags); i++ {
		if diags[i-1].Pos.Line > diags[i].Pos.Line {
			t.Errorf("diagnostics not sorted by line:\n%s", diags.Error())
		}
	}
}

func TestAliasesAreFollowed(t *testing.T) {
	src := minimal + "x-policy: &p\n  - actions: [s3:GetObject]\n    resources: ['*']\n"
	if _, errs := load(t, src); !strings.Contains(errs, `unknown key "x-policy"`) {
		t.Fatalf("want the unknown key reported, got:\n%s", errs)
	}
	src = minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    policy: &p\n      - actions: [s3:GetObject]\n        resources: ['*']\n  - namespace: a\n    name: c\n    policy: *p\n"
	spec, errs := load(t, src)
	if errs != "" {
		t.Fatal(errs)
	}
	if got := spec.ServiceAccounts[1].Policy; len(got) != 1 || got[0].Actions[0].Value != "s3:GetObject" {
		t.Errorf("alias not followed: %+v", got)
	}
}

func TestSplitPlaceholders(t *testing.T) {
	segs, err := SplitPlaceholders("arn:${partition}:s3:::${project}-x/${aws:username}/${*}")
	if err != nil {
		t.Fatal(err)
	}
	want := []Segment{{Text: "arn:"}, {Placeholder: "partition"}, {Text: ":s3:::"}, {Placeholder: "project"}, {Text: "-x/${aws:username}/${*}"}}
	if len(segs) != len(want) {
		t.Fatalf("got %+v", segs)
	}
	for i := range want {
		if segs[i] != want[i] {
			t.Errorf("segment %d = %+v, want %+v", i, segs[i], want[i])
		}
	}
	if _, err := SplitPlaceholders("${acount}"); err == nil || !strings.Contains(err.Error(), `did you mean "account"`) {
		t.Errorf("unknown placeholder: err = %v", err)
	}
}

func TestSuggest(t *testing.T) {
	keys := []string{"namespace", "name", "mechanism"}
	for in, want := range map[string]string{"nmae": `"name"`, "Namespace": `"namespace"`, "zzzzzz": ""} {
		got := suggest(in, keys)
		if (want == "" && got != "") || !strings.Contains(got, want) {
			t.Errorf("suggest(%q) = %q, want mention of %s", in, got, want)
		}
	}
}

func TestTagCount(t *testing.T) {
	var b strings.Builder
	b.WriteString(minimal + "tags:\n")
	for i := range 45 {
		fmt.Fprintf(&b, "  k%d: v\n", i)
	}
	b.WriteString("serviceAccounts:\n  - namespace: a\n    name: b\n    tags:\n")
	for i := range 6 {
		fmt.Fprintf(&b, "      own%d: v\n", i)
	}
	_, errs := load(t, b.String())
	if !strings.Contains(errs, "has 51 tags with the spec's tags; AWS allows 50") {
		t.Errorf("want the tag limit, got:\n%s", errs)
	}
}

// TestBooleanSpellings reads every spelling YAML 1.2 gives a boolean as
// that boolean: True and TRUE once read as false and dropped the node role.
func TestBooleanSpellings(t *testing.T) {
	for _, v := range []string{"true", "True", "TRUE", "false", "False", "FALSE"} {
		spec, errs := load(t, minimal+"nodeRole:\n  enabled: "+v+"\n  ssm: "+v+"\n")
		if errs != "" {
			t.Fatalf("%s: %s", v, errs)
		}
		want := strings.EqualFold(v, "true")
		if spec.NodeRole.Enabled.Value != want || spec.NodeRole.SSM.Value != want {
			t.Errorf("%s read as enabled=%v ssm=%v, want %v", v, spec.NodeRole.Enabled.Value, spec.NodeRole.SSM.Value, want)
		}
	}
}

// TestHostileInput: what a broken or hostile file would make of the
// loader is a clear error, never memory without bound nor a forged line.
func TestHostileInput(t *testing.T) {
	bomb := "version: 1\na: &a [x,x,x,x,x,x,x,x,x]\n"
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f", "g", "h", "i", "j", "k"} {
		bomb += name + ": &" + name + " [" + strings.Repeat("*"+prev+",", 8) + "*" + prev + "]\n"
		prev = name
	}
	bomb += "serviceAccounts: *k\n"
	for name, tc := range map[string]struct{ src, want string }{
		"too large":       {strings.Repeat("#", MaxSpecBytes+1), "s.yaml:1:1: the spec is larger than 16 MiB"},
		"alias bomb":      {bomb, "s.yaml:1:1: the spec expands to more than 2000000 YAML nodes through its aliases"},
		"second document": {minimal + "---\nproject: other\n", "s.yaml:6:1: the spec holds a second YAML document"},
		"a value tag":     {strings.Replace(minimal, "project: shop", "project: !Ref shop", 1), "s.yaml:2:10: YAML tags such as !Ref are not allowed"},
		"a str tag":       {minimal + "tags:\n  a: !!str 1\n", "s.yaml:7:6: YAML tags such as !!str are not allowed"},
		"underscored int": {minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    maxSessionDuration: 3_600\n", "maxSessionDuration is written 3_600; write it in decimal digits alone"},
		"string bomb":     {"version: 1\nx: &s [" + strings.Repeat("a", 200000) + "]\nserviceAccounts: [" + strings.TrimSuffix(strings.Repeat("*s, ", 800), ", ") + "]\n", "the spec expands to more than 2000000 YAML nodes"},
		"octal":           {minimal + "serviceAccounts:\n  - namespace: a\n    name: b\n    maxSessionDuration: 07200\n", "s.yaml:9:25: serviceAccounts[0].maxSessionDuration is written 07200, which YAML reads as 3712"},
		"forged line":     {minimal + "tags:\n  \"a\\n/etc/x.yaml:1:1: forged\\e[31m\": b\n  \"a\\n/etc/x.yaml:1:1: forged\\e[31m\": c\n", `a\n/etc/x.yaml:1:1: forged\x1b[31m is set twice`},
	} {
		_, errs := load(t, tc.src)
		if !strings.Contains(errs, tc.want) {
			t.Errorf("%s: diagnostics do not contain %q:\n%.2000s", name, tc.want, errs)
		}
		if strings.Contains(errs, "\x1b") || strings.Contains(errs, "\n/etc/") {
			t.Errorf("%s: a diagnostic carries a raw control character:\n%q", name, errs)
		}
	}
}

// TestFormats: the spec's formats, in the order of their folders, all by
// default.
func TestFormats(t *testing.T) {
	spec, errs := load(t, minimal)
	if errs != "" || strings.Join(spec.Formats, ",") != "terraform,cloudformation,eksctl" {
		t.Errorf("default formats %v %s", spec.Formats, errs)
	}
	spec, errs = load(t, minimal+"formats: [eksctl, Terraform]\n")
	if errs != "" || strings.Join(spec.Formats, ",") != "terraform,eksctl" || spec.HasFormat("cloudformation") {
		t.Errorf("formats %v %s", spec.Formats, errs)
	}
}

// TestTrailingDocumentMarker: a trailing "---" starts no second spec.
func TestTrailingDocumentMarker(t *testing.T) {
	if _, errs := load(t, minimal+"---\n"); errs != "" {
		t.Errorf("a trailing --- is an error:\n%s", errs)
	}
}
