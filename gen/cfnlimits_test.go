package gen

import (
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/eksiam/eksiam/gen/cloudformation"
	"github.com/eksiam/eksiam/internal/benchspec"
	"github.com/eksiam/eksiam/schema"
)

func cloudFormationFiles(t *testing.T, src []byte) map[string][]byte {
	t.Helper()
	spec, diags := schema.Load("spec.yaml", src)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	files, _, diags := Generate(spec, Options{Formats: []string{CloudFormation}})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	out := map[string][]byte{}
	for _, f := range files {
		out[f.Path] = f.Data
	}
	return out
}

// TestCloudFormationWithinLimits generates the benchmark spec at sizes
// around and far past one template's limits and counts, in every template
// written, the resources, outputs and parameters and the bytes, against
// CloudFormation's limits.
func TestCloudFormationWithinLimits(t *testing.T) {
	for _, n := range []int{10, 150, 1000, 10000} {
		files := cloudFormationFiles(t, benchspec.Spec(n))
		roles := 0
		for path, data := range files {
			var tmpl struct {
				Parameters map[string]yaml.Node `yaml:"Parameters"`
				Resources  map[string]struct {
					Type string `yaml:"Type"`
				} `yaml:"Resources"`
				Outputs map[string]yaml.Node `yaml:"Outputs"`
			}
			if err := yaml.Unmarshal(data, &tmpl); err != nil {
				t.Fatalf("N=%d %s: %v", n, path, err)
			}
			if len(tmpl.Resources) > cloudformation.MaxResources || len(tmpl.Outputs) > cloudformation.MaxOutputs ||
				len(tmpl.Parameters) > 200 || len(data) > cloudformation.MaxTemplateBytes {
				t.Errorf("N=%d %s: %d resources, %d outputs, %d parameters, %d bytes: past CloudFormation's limits",
					n, path, len(tmpl.Resources), len(tmpl.Outputs), len(tmpl.Parameters), len(data))
			}
			for _, r := range tmpl.Resources {
				if r.Type == "AWS::IAM::Role" {
					roles++
				}
			}
		}
		if roles != n+1 {
			t.Errorf("N=%d: %d roles in the templates, want %d", n, roles, n+1)
		}
		if nested := len(files) > 1; nested != (n >= 1000) {
			t.Errorf("N=%d: %d files; one template until the limits, nested stacks past them", n, len(files))
		}
	}
}

// TestNestedStacksAreStable adds and removes ServiceAccounts of a spec
// laid out in nested stacks: no other role may change its stack, nor its
// stack's file change but for the roles added or removed.
func TestNestedStacksAreStable(t *testing.T) {
	spec := func(skip, extra int) []byte {
		var b strings.Builder
		b.WriteString("version: 1\nproject: shop\nenvironment: prod\ncluster:\n  region: eu-west-1\n  accountId: \"111122223333\"\nserviceAccounts:\n")
		for i := range 260 {
			if i != skip {
				fmt.Fprintf(&b, "  - {namespace: ns-%d, name: sa-%d, managedPolicyArns: [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]}\n", i%7, i)
			}
		}
		for i := range extra {
			fmt.Fprintf(&b, "  - {namespace: extra, name: new-%d, managedPolicyArns: [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]}\n", i)
		}
		return []byte(b.String())
	}
	// stackOf maps each role's logical id to the file that holds it.
	stackOf := func(files map[string][]byte) map[string]string {
		out := map[string]string{}
		for path, data := range files {
			var tmpl struct {
				Resources map[string]struct {
					Type string `yaml:"Type"`
				} `yaml:"Resources"`
			}
			if err := yaml.Unmarshal(data, &tmpl); err != nil {
				t.Fatal(err)
			}
			for id, r := range tmpl.Resources {
				if r.Type == "AWS::IAM::Role" {
					out[id] = path
				}
			}
		}
		return out
	}
	base := stackOf(cloudFormationFiles(t, spec(-1, 0)))
	if len(base) < 2 || len(cloudFormationFiles(t, spec(-1, 0))) < 2 {
		t.Fatal("the spec does not need nested stacks; the test checks nothing")
	}
	for name, variant := range map[string][]byte{"one removed": spec(42, 0), "three added": spec(-1, 3)} {
		got := stackOf(cloudFormationFiles(t, variant))
		for id, path := range base {
			if p, ok := got[id]; ok && p != path {
				t.Errorf("%s: role %s moved from %s to %s", name, id, path, p)
			}
		}
	}
}
