package templates

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/eksiam/eksiam/internal/testenv"
	"github.com/eksiam/eksiam/sar"
)

// The presets issue 6 asks for; more may come.
var wantPresets = []string{
	"adot-collector", "amazon-managed-prometheus", "appmesh-controller", "appmesh-envoy",
	"aws-load-balancer-controller", "aws-load-balancer-controller-tgb", "aws-node-termination-handler",
	"aws-privateca-issuer", "cert-manager", "cloudwatch-observability", "cluster-autoscaler", "ebs-csi",
	"efs-csi", "external-dns", "external-secrets", "fsx-lustre-csi", "gateway-api-controller", "karpenter",
	"mountpoint-s3-csi", "secrets-store-csi", "velero", "vpc-cni",
}

// TestPresetsLoad checks every embedded preset at start-up: it parses, its
// options and statements are consistent, and the wanted ones are there.
func TestPresetsLoad(t *testing.T) {
	ps, err := Presets()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range wantPresets {
		if _, ok := Lookup(name); !ok {
			t.Errorf("preset %s is missing", name)
		}
	}
	for _, p := range ps {
		for _, s := range p.Statements {
			for _, r := range slices.Concat(s.Resources, s.NotResources) {
				if strings.Contains(r, "arn:aws:") {
					t.Errorf("%s %s: %q hard-codes the aws partition; use ${partition}", p.Name, s.Sid, r)
				}
			}
		}
	}
}

// readOnlyRE matches actions that read: the only ones a preset may allow
// on "*" without a condition.
var readOnlyRE = regexp.MustCompile(`^[a-z0-9-]+:(Describe|List|Get|BatchGet|Head|Search|Lookup|View|Query|Scan|Check|Validate)[A-Za-z0-9]*$`)

// noResourceType reports an action that takes no resource type in the
// Service Authorization Reference: "*" is the only resource that matches
// it, so a preset must write it on "*".
func noResourceType(action string) bool {
	a := sar.Default().Action(action)
	return a != nil && len(a.Resources) == 0
}

// TestPresetsScopeWrites: no Allow of a mutating action on "*" unless a
// condition limits it (the add-on's own documents put such actions on "*"
// only with tag conditions) or the action takes no resource type.
func TestPresetsScopeWrites(t *testing.T) {
	ps, err := Presets()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		for _, s := range p.Expand(p.ExampleValues()) {
			if s.Effect != "Allow" || len(s.Conditions) > 0 || !slices.Contains(s.Resources, "*") {
				continue
			}
			if len(s.NotActions) > 0 {
				t.Errorf("%s %s: Allow with notActions on *", p.Name, s.Sid)
			}
			for _, a := range s.Actions {
				if !readOnlyRE.MatchString(a) && !noResourceType(a) {
					t.Errorf("%s %s: mutating action %s is allowed on * without a condition", p.Name, s.Sid, a)
				}
			}
		}
	}
}

// TestPresetsExpandWithoutOptionalValues: with only required options set,
// every statement left still has resources and condition values.
func TestPresetsExpandWithoutOptionalValues(t *testing.T) {
	ps, _ := Presets()
	for _, p := range ps {
		values := func(name string) []string {
			o, _ := p.Option(name)
			if o.Required {
				return []string{o.Example}
			}
			return o.Default
		}
		for _, s := range p.Expand(values) {
			if len(s.Resources)+len(s.NotResources) == 0 {
				t.Errorf("%s %s: no resources", p.Name, s.Sid)
			}
			for _, c := range s.Conditions {
				if len(c.Values) == 0 || strings.Contains(c.Key, "{{") {
					t.Errorf("%s %s: condition %s %s left unexpanded", p.Name, s.Sid, c.Operator, c.Key)
				}
			}
			for _, r := range s.Resources {
				if strings.Contains(r, "{{") {
					t.Errorf("%s %s: resource %s left unexpanded", p.Name, s.Sid, r)
				}
			}
		}
	}
}

// factActions reads the backquoted actions of the aws-facts.md bullet that
// starts with **name**.
func factActions(t *testing.T, facts, name string) []string {
	t.Helper()
	i := strings.Index(facts, "- **"+name+"**")
	if i < 0 {
		t.Fatalf("aws-facts.md has no bullet for %s", name)
	}
	bullet := facts[i+2:]
	if j := strings.Index(bullet, "\n- "); j >= 0 {
		bullet = bullet[:j]
	}
	var out []string
	service := ""
	operator := regexp.MustCompile(`^(String|Arn|Bool|Numeric|Date|IpAddress|NotIpAddress|Null|ForAllValues|ForAnyValue)`)
	for _, m := range regexp.MustCompile("`([a-z0-9-]+:)?([A-Za-z0-9]+)`").FindAllStringSubmatch(bullet, -1) {
		if m[1] == "" && operator.MatchString(m[2]) {
			continue // a condition operator, not an action
		}
		if m[1] != "" {
			service = m[1]
		}
		if service != "" && (m[1] != "" || regexp.MustCompile(`^[A-Z]`).MatchString(m[2])) {
			out = append(out, service+m[2])
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func presetActions(p *Preset) []string {
	var out []string
	for _, s := range p.Expand(p.ExampleValues()) {
		out = append(out, s.Actions...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// dropped are the actions that aws-facts.md's "Turn 2 facts" (gathered
// 2026-12-06) say upstream no longer grants, from its earlier lists.
var dropped = map[string]string{
	"cluster-autoscaler": "autoscaling:DescribeTags",    // dropped 2024-05-27
	"external-dns":       "route53:ListTagsForResource", // the singular is not called
}

// TestPresetsMatchFacts compares four presets' actions with the lists in
// ../shared/reference/aws-facts.md, less what its Turn 2 facts say
// upstream dropped since.
func TestPresetsMatchFacts(t *testing.T) {
	data, err := os.ReadFile(testenv.Shared(t, "reference/aws-facts.md"))
	if err != nil {
		t.Fatal(err)
	}
	facts := string(data)
	turn2 := facts[strings.Index(facts, "## Turn 2 facts"):]
	for _, name := range []string{"external-dns", "cert-manager", "cluster-autoscaler"} {
		p, ok := Lookup(name)
		if !ok {
			t.Errorf("no preset %s", name)
			continue
		}
		want, got := factActions(t, facts, name), presetActions(p)
		if d, ok := dropped[name]; ok {
			_, short, _ := strings.Cut(d, ":")
			if !strings.Contains(turn2, short) {
				t.Fatalf("aws-facts.md's Turn 2 facts do not say %s was dropped from %s", d, name)
			}
			want = slices.DeleteFunc(want, func(a string) bool { return a == d })
		}
		if !slices.Equal(want, got) {
			t.Errorf("%s grants %v;\naws-facts.md lists %v", name, got, want)
		}
	}
}

// TestEBSCSIFollowsFacts checks the properties aws-facts.md states for the
// EBS CSI driver's policy, which it describes rather than lists.
func TestEBSCSIFollowsFacts(t *testing.T) {
	p, ok := Lookup("ebs-csi")
	if !ok {
		t.Fatal("no preset ebs-csi")
	}
	// The driver's own tags, and (clusterScoped) the owned tag it sets
	// when k8sTagClusterId names the cluster (aws-facts.md, Turn 2).
	driverTags := []string{"ebs.csi.aws.com/cluster", "CSIVolumeName", "CSIVolumeSnapshotName", "kubernetes.io/created-for/pvc/name", "kubernetes.io/cluster/${cluster}"}
	hasDriverTag := func(s Statement) bool {
		for _, c := range s.Conditions {
			for _, tag := range driverTags {
				if strings.HasSuffix(c.Key, "/"+tag) {
					return true
				}
			}
		}
		return false
	}
	conditionOn := func(s Statement, key string) (Condition, bool) {
		i := slices.IndexFunc(s.Conditions, func(c Condition) bool { return c.Key == key })
		if i < 0 {
			return Condition{}, false
		}
		return s.Conditions[i], true
	}
	check := func(values func(string) []string, withKeys bool) {
		var actions []string
		for _, s := range p.Expand(values) {
			actions = append(actions, s.Actions...)
			for _, a := range s.Actions {
				switch {
				case a == "ec2:DeleteVolume" || a == "ec2:DeleteSnapshot":
					if !hasDriverTag(s) {
						t.Errorf("%s: %s without the driver's tags", s.Sid, a)
					}
				case a == "ec2:CreateVolume":
					for _, r := range s.Resources {
						if strings.Contains(r, ":volume/") && !hasDriverTag(s) {
							t.Errorf("%s: ec2:CreateVolume of volumes without the driver's request tags", s.Sid)
						}
					}
				case a == "ec2:CreateTags":
					c, ok := conditionOn(s, "ec2:CreateAction")
					if !ok {
						t.Errorf("%s: ec2:CreateTags without ec2:CreateAction", s.Sid)
					}
					for _, v := range c.Values {
						if !slices.Contains([]string{"CreateVolume", "CreateSnapshot", "CopyVolumes"}, v) {
							t.Errorf("%s: ec2:CreateTags for %s", s.Sid, v)
						}
					}
				case a == "kms:CreateGrant":
					if _, ok := conditionOn(s, "kms:GrantIsForAWSResource"); !ok {
						t.Errorf("%s: kms:CreateGrant without kms:GrantIsForAWSResource", s.Sid)
					}
				}
			}
		}
		for _, want := range []string{"ec2:AttachVolume", "ec2:DetachVolume", "ec2:ModifyVolume", "ec2:DescribeVolumes", "ec2:DescribeInstances", "ec2:DescribeSnapshots"} {
			if !slices.Contains(actions, want) {
				t.Errorf("ebs-csi lacks %s", want)
			}
		}
		hasKMS := slices.ContainsFunc(actions, func(a string) bool { return strings.HasPrefix(a, "kms:") })
		if hasKMS != withKeys {
			t.Errorf("KMS actions present = %v with key ARNs given = %v", hasKMS, withKeys)
		}
	}
	check(func(string) []string { return nil }, false)
	check(p.ExampleValues(), true)
}

// TestREADMEListsPresets keeps README.md's preset table complete.
func TestREADMEListsPresets(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range PresetNames() {
		if !strings.Contains(string(data), "| `"+name+"` |") {
			t.Errorf("README.md's preset table lacks %s", name)
		}
	}
}

// TestREADMEListsEveryOption keeps README's presets table in step with
// the presets: each has a row, and the row names each of its options and
// the newest version, with the document it follows and its retrieval date.
func TestREADMEListsEveryOption(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if name, ok := strings.CutPrefix(line, "| `"); ok {
			if i := strings.Index(name, "`"); i > 0 {
				rows[name[:i]] = line
			}
		}
	}
	ps, err := Presets()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		row, ok := rows[p.Name]
		if !ok {
			t.Errorf("README's presets table has no row for %s", p.Name)
			continue
		}
		for _, o := range p.Options {
			if !strings.Contains(row, o.Name) {
				t.Errorf("README's row for %s does not name its option %s", p.Name, o.Name)
			}
		}
		v := p.Newest()
		if want := fmt.Sprintf("[%s, retrieved %s](%s)", v.Name, v.Retrieved, v.URL); !strings.Contains(row, want) {
			t.Errorf("README's row for %s does not show its newest version as %s", p.Name, want)
		}
	}
}

// pinnedURL: a document on GitHub at a commit (7 to 40 hex digits) or a
// release tag, so that the address keeps showing what was read.
var pinnedURL = regexp.MustCompile(`^https://github\.com/[\w.-]+/[\w.-]+/blob/([0-9a-f]{7,40}|v?[0-9][\w.-]*)/`)

// TestVersionsArePinned: every version of every preset names the add-on
// versions it serves, when it was read (a date), and its document at a
// commit or tag; only AWS documentation pages, which have no history to
// point into, go by their plain address.
func TestVersionsArePinned(t *testing.T) {
	ps, err := Presets()
	if err != nil {
		t.Fatal(err)
	}
	date := regexp.MustCompile(`^20[0-9]{2}-[01][0-9]-[0-3][0-9]$`)
	for _, p := range ps {
		for _, v := range p.Versions {
			if !pinnedURL.MatchString(v.URL) && !strings.HasPrefix(v.URL, "https://docs.aws.amazon.com/") {
				t.Errorf("%s@%s follows %s, which is not a document at a commit or tag", p.Name, v.Name, v.URL)
			}
			if !date.MatchString(v.Retrieved) {
				t.Errorf("%s@%s: retrieved %q is not a date", p.Name, v.Name, v.Retrieved)
			}
			if strings.TrimSpace(v.Addons) == "" {
				t.Errorf("%s@%s does not say which add-on versions it serves", p.Name, v.Name)
			}
		}
	}
}

// TestWhenClauses: a statement's When holds all its clauses, "!opt" when
// the option has no values: external-dns changes records under exactly one
// of its four change statements, conditioned by the options set.
func TestWhenClauses(t *testing.T) {
	p, ok := Lookup("external-dns")
	if !ok {
		t.Fatal("no external-dns preset")
	}
	for _, tc := range []struct {
		names, types []string
		sid, keys    string
	}{
		{nil, nil, "ChangeRecords", ""},
		{[]string{"*.example.com"}, nil, "ChangeNamedRecords", "route53:ChangeResourceRecordSetsNormalizedRecordNames"},
		{nil, []string{"A"}, "ChangeTypedRecords", "route53:ChangeResourceRecordSetsRecordTypes"},
		{[]string{"*.example.com"}, []string{"A"}, "ChangeNamedTypedRecords", "route53:ChangeResourceRecordSetsNormalizedRecordNames,route53:ChangeResourceRecordSetsRecordTypes"},
	} {
		values := func(name string) []string {
			switch name {
			case "hostedZoneIds":
				return []string{"Z1"}
			case "recordNames":
				return tc.names
			case "recordTypes":
				return tc.types
			}
			return nil
		}
		var changes []Statement
		for _, s := range p.Expand(values) {
			if slices.Contains(s.Actions, "route53:ChangeResourceRecordSets") {
				changes = append(changes, s)
			}
		}
		if len(changes) != 1 || changes[0].Sid != tc.sid {
			t.Errorf("names %v types %v: change statements %+v, want only %s", tc.names, tc.types, changes, tc.sid)
			continue
		}
		var keys []string
		for _, c := range changes[0].Conditions {
			keys = append(keys, c.Key)
			if c.Key == "route53:ChangeResourceRecordSetsRecordTypes" && !slices.Contains(c.Values, "TXT") {
				t.Errorf("%s allows types %v: the TXT registry's ownership records would fail the whole change", tc.sid, c.Values)
			}
		}
		slices.Sort(keys)
		if strings.Join(keys, ",") != tc.keys {
			t.Errorf("%s conditions on %v, want %s", tc.sid, keys, tc.keys)
		}
	}
}

// TestEBSCSIClusterScoped: with clusterScoped, every deletion of a volume
// or snapshot, and of their tags, requires this cluster's owned tag.
func TestEBSCSIClusterScoped(t *testing.T) {
	p, _ := Lookup("ebs-csi")
	n := 0
	for _, s := range p.Expand(func(name string) []string {
		if name == "clusterScoped" {
			return []string{"true"}
		}
		return nil
	}) {
		for _, a := range s.Actions {
			if a != "ec2:DeleteVolume" && a != "ec2:DeleteSnapshot" && a != "ec2:DeleteTags" {
				continue
			}
			n++
			if len(s.Conditions) != 1 || s.Conditions[0].Key != "ec2:ResourceTag/kubernetes.io/cluster/${cluster}" || !slices.Equal(s.Conditions[0].Values, []string{"owned"}) {
				t.Errorf("%s: %s not limited to this cluster's owned resources: %+v", s.Sid, a, s.Conditions)
			}
		}
	}
	if n != 3 {
		t.Errorf("%d delete actions, want DeleteVolume, DeleteSnapshot and DeleteTags once each", n)
	}
}

// TestPinnedVersions: name@version is that version's policy, with its own
// statements; the newest is the preset's own; an unknown one is not found.
func TestPinnedVersions(t *testing.T) {
	newest, _ := Lookup("karpenter")
	old, ok := Lookup("karpenter@1.7")
	if !ok || old.Pinned != "1.7" || old.Name != "karpenter" {
		t.Fatalf("karpenter@1.7: %v %+v", ok, old)
	}
	if pinned, ok := Lookup("karpenter@1.14"); !ok || !slices.EqualFunc(pinned.Statements, newest.Statements, func(a, b Statement) bool { return a.Sid == b.Sid }) {
		t.Errorf("karpenter@1.14 is not the newest's statements")
	}
	has := func(p *Preset, action string) bool {
		return slices.ContainsFunc(p.Statements, func(s Statement) bool { return slices.Contains(s.Actions, action) })
	}
	if has(old, "arc-zonal-shift:GetManagedResource") || !has(newest, "arc-zonal-shift:GetManagedResource") {
		t.Errorf("1.7 and 1.14 do not differ as upstream does")
	}
	for _, ref := range []string{"karpenter@1.2", "velero@1.0", "nope@1.0"} {
		if _, ok := Lookup(ref); ok {
			t.Errorf("Lookup(%q) found something", ref)
		}
	}
	for _, bad := range []string{
		"versions:\n  - {version: \"2\", addons: \">= 2\", url: u, retrieved: r}\n  - {version: \"1\", addons: \"1\", url: u, retrieved: r}\n",
		"versions:\n  - {version: \"2\", addons: \">= 2\", url: u}\n",
	} {
		src := "name: x\ntitle: X\ndescription: d\nversions: [{version: \"1\", addons: a, url: u, retrieved: r}]\nserviceAccount: {namespace: a, name: b}\nstatements:\n  - {sid: S, actions: [\"s3:GetObject\"], resources: [\"*\"]}\n" + bad
		if _, err := ParsePreset([]byte(src)); err == nil {
			t.Errorf("a preset with %q parsed", bad)
		}
	}
}

// TestNegatedWhenTakesNoValue: "!opt=value" would read as an option named
// "opt=value", always absent, so the statement would always hold.
func TestNegatedWhenTakesNoValue(t *testing.T) {
	src := "name: x\ntitle: X\ndescription: d\nversions: [{version: \"1\", addons: a, url: u, retrieved: r}]\nserviceAccount: {namespace: a, name: b}\noptions:\n  o: {description: d, example: a, enum: [a, b]}\nstatements:\n  - {sid: S, when: \"!o=a\", actions: [\"s3:GetObject\"], resources: [\"*\"]}\n"
	if _, err := ParsePreset([]byte(src)); err == nil || !strings.Contains(err.Error(), "a negated clause names an option") {
		t.Errorf("a negated clause with a value parsed: %v", err)
	}
}

// TestEveryOptionIsUsed: with every option given, each is read by a
// statement, so preset-option-unused never fires on a full spec.
func TestEveryOptionIsUsed(t *testing.T) {
	ps, err := Presets()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		for _, o := range p.Options {
			if !p.Uses(o.Name, p.ExampleValues()) {
				t.Errorf("%s: no statement uses option %s", p.Name, o.Name)
			}
		}
	}
}

// TestChartsHaveTheirSource: every chart a preset names is kept, with the
// address of its values.yaml (and values schema) at a commit, under
// testdata/charts/<chart>/, where the kubernetes golden tests find it.
func TestChartsHaveTheirSource(t *testing.T) {
	ps, err := Presets()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range ps {
		c := p.Chart
		if c == nil {
			continue
		}
		n++
		data, err := os.ReadFile("testdata/charts/" + c.Name + "/source.json")
		if err != nil {
			t.Errorf("%s: chart %s has no testdata/charts/%s/source.json", p.Name, c.Name, c.Name)
			continue
		}
		var src struct {
			Repository string  `json:"repository"`
			Values     string  `json:"values"`
			Schema     *string `json:"schema"`
		}
		if err := json.Unmarshal(data, &src); err != nil {
			t.Fatal(err)
		}
		schema := ""
		if src.Schema != nil {
			schema = *src.Schema
		}
		if src.Values != c.Source || src.Repository != c.Repository || schema != c.Schema {
			t.Errorf("%s: the preset's chart (%s, %s, schema %q) and its source.json (%s, %s, schema %q) disagree", p.Name, c.Source, c.Repository, c.Schema, src.Values, src.Repository, schema)
		}
		if !pinnedURL.MatchString(c.Source) || c.Schema != "" && !pinnedURL.MatchString(c.Schema) {
			t.Errorf("%s: the chart's values.yaml and schema must be addresses at a commit or tag", p.Name)
		}
	}
	if n == 0 {
		t.Fatal("no preset names a chart")
	}
}
