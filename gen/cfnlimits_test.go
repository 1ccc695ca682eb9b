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
		if nested := len(files) > 1; nested != (n > 100) {
			t.Errorf("N=%d: %d files; nested stacks exactly when the spec asks for them", n, len(files))
		}
	}
}

// TestPastTheLimitsNeedsNestedStacks: without cloudformation.nestedStacks a
// spec past one template's limits is an error that says what to do, never
// a silent switch of layout, which would move every pod role.
func TestPastTheLimitsNeedsNestedStacks(t *testing.T) {
	src := strings.Replace(string(benchspec.Spec(250)), "cloudformation:\n  nestedStacks: true\n", "", 1)
	spec, diags := schema.Load("spec.yaml", []byte(src))
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	_, _, diags = Generate(spec, Options{Formats: []string{CloudFormation}})
	if want := "set cloudformation.nestedStacks: true in the spec"; !strings.Contains(diags.Error(), want) {
		t.Errorf("want an error saying %q, got:\n%s", want, diags.Error())
	}
}

// TestNestedStacksAreStable adds and removes ServiceAccounts of a spec
// laid out in nested stacks, across the size where one template would no
// longer hold them: no other role may change its stack.
func TestNestedStacksAreStable(t *testing.T) {
	spec := func(skip, extra int) []byte {
		var b strings.Builder
		b.WriteString("version: 1\nproject: shop\nenvironment: prod\ncloudformation: {nestedStacks: true}\ncluster:\n  region: eu-west-1\n  accountId: \"111122223333\"\nserviceAccounts:\n")
		for i := range 190 {
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
	// From 190 to 200 ServiceAccounts and back crosses one template's
	// limits: nothing moves.
	for name, variant := range map[string][]byte{"one removed": spec(42, 0), "ten added": spec(-1, 10)} {
		got := stackOf(cloudFormationFiles(t, variant))
		for id, path := range base {
			if p, ok := got[id]; ok && p != path {
				t.Errorf("%s: role %s moved from %s to %s", name, id, path, p)
			}
		}
	}
}
