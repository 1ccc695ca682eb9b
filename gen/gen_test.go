package gen

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/eksiam/eksiam/gen/internal/yamlnode"
	"github.com/eksiam/eksiam/internal/benchspec"
	"github.com/eksiam/eksiam/internal/equiv"
	"github.com/eksiam/eksiam/schema"
)

// TestParallelOutputIsSequentialOutput renders a spec large enough for the
// emitters to work on several cores, and on one, and demands the same
// bytes; the files also pass the cross-format equivalence check.
func TestParallelOutputIsSequentialOutput(t *testing.T) {
	spec, diags := schema.Load("spec.yaml", benchspec.Spec(300))
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	render := func(procs int) map[string][]byte {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		files, m, diags := Generate(spec, Options{})
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		out := map[string][]byte{}
		for _, f := range files {
			out[f.Path] = f.Data
		}
		if procs > 1 {
			for _, err := range equiv.Check(m, out) {
				t.Error(err)
			}
		}
		return out
	}
	one, many := render(1), render(4)
	if len(one) != len(many) {
		t.Fatalf("%d files on one core, %d on several", len(one), len(many))
	}
	for p, data := range one {
		if !bytes.Equal(data, many[p]) {
			t.Errorf("%s differs between one core and several", p)
		}
	}
}

// TestGoldenSpecsStayOnTheFastYAMLPath generates every golden case and
// demands that no YAML document went to go-yaml's encoder: the emitters
// build only the shapes yamlnode's own writer covers, and that writer's
// bytes are held to go-yaml's in yamlnode's tests and by the golden files.
func TestGoldenSpecsStayOnTheFastYAMLPath(t *testing.T) {
	specs, err := filepath.Glob("../golden/*/spec.yaml")
	if err != nil || len(specs) == 0 {
		t.Fatalf("no golden specs found: %v", err)
	}
	for _, p := range specs {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		spec, diags := schema.Load("spec.yaml", data)
		if diags.HasErrors() {
			continue // an invalid-* case
		}
		before := yamlnode.GoYAMLDocuments()
		Generate(spec, Options{Formats: []string{CloudFormation, Eksctl}})
		if n := yamlnode.GoYAMLDocuments() - before; n > 0 {
			t.Errorf("%s: %d YAML documents fell back to go-yaml's encoder", p, n)
		}
	}
}

// TestPlanReadsOnlyTheFirstLineOfOtherFiles puts a 1 GiB file of the
// user's (a Terraform state, say) beside the outputs: planning the write
// must read its first line, not the whole of it.
func TestPlanReadsOnlyTheFirstLineOfOtherFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, Terraform), 0o755); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, Terraform, "terraform.tfstate")
	if err := os.WriteFile(state, []byte("{\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(state, 1<<30); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	p, err := makePlan(dir, []string{Terraform}, nil)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.remove)+len(p.conflicts) > 0 {
		t.Errorf("the state file is not eksiam's, yet the plan touches it: %+v", p)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("planning allocated %d bytes for a 1 GiB file of the user's", n)
	}
}

// TestEksctlTargetRoleOutsideAWSPartition: eksctl's validator takes only
// target role ARNs of the aws partition, so an aws-cn one is refused with
// what to do, not written for eksctl to reject.
func TestEksctlTargetRoleOutsideAWSPartition(t *testing.T) {
	spec, diags := schema.Load("spec.yaml", []byte(`version: 1
project: shop
environment: prod
cluster:
  region: cn-north-1
  accountId: "111122223333"
serviceAccounts:
  - namespace: a
    name: b
    trust: account
    sessionTags: false
    targetRoleArn: "arn:aws-cn:iam::444455556666:role/target"
`))
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	_, _, diags = Generate(spec, Options{})
	if want := "spec.yaml:8:5: ServiceAccount a/b has a targetRoleArn in the aws-cn partition, and eksctl takes only target role ARNs that start with arn:aws:iam::"; !strings.Contains(diags.Error(), want) {
		t.Errorf("want %q, got:\n%s", want, diags.Error())
	}
	if _, _, diags = Generate(spec, Options{Formats: []string{Terraform, CloudFormation}}); diags.HasErrors() {
		t.Errorf("without eksctl the spec generates, got:\n%s", diags.Error())
	}
}

// TestKubernetesFormatLimits: the kubernetes output writes an IRSA role's
// ARN as a value, so it needs the account; and one ServiceAccount cannot
// be created by two presets' charts. Neither limits the other formats.
func TestKubernetesFormatLimits(t *testing.T) {
	spec, diags := schema.Load("spec.yaml", []byte(`version: 1
project: shop
environment: prod
formats: [terraform, kubernetes]
cluster:
  region: eu-west-1
irsa: {}
serviceAccounts:
  - namespace: a
    name: b
    mechanism: irsa
    managedPolicyArns: ["arn:${partition}:iam::aws:policy/ReadOnlyAccess"]
  - namespace: dns
    name: both
    presets: [external-dns, cert-manager]
    presetOptions: {hostedZoneIds: [Z0123456789ABCDEFGHIJ]}
`))
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	_, _, diags = Generate(spec, Options{})
	for _, want := range []string{
		"spec.yaml:9:5: ServiceAccount a/b uses IRSA, whose ServiceAccount annotation eks.amazonaws.com/role-arn kubernetes output must write as an ARN: set cluster.accountId",
		"spec.yaml:13:5: ServiceAccount dns/both uses presets of two Helm charts, external-dns and cert-manager",
	} {
		if !strings.Contains(diags.Error(), want) {
			t.Errorf("want %q, got:\n%s", want, diags.Error())
		}
	}
	if _, _, diags = Generate(spec, Options{Formats: []string{Terraform}}); diags.HasErrors() {
		t.Errorf("without kubernetes the spec generates, got:\n%s", diags.Error())
	}
}
