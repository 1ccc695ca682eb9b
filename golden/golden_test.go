package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/eksiam/eksiam/gen"
	"github.com/eksiam/eksiam/gen/iam"
	"github.com/eksiam/eksiam/internal/check"
	"github.com/eksiam/eksiam/internal/equiv"
	"github.com/eksiam/eksiam/internal/testenv"
	"github.com/eksiam/eksiam/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files from what eksiam generates now")

// result is what eksiam makes of a case: its files (model.json among
// them), or the diagnostics it prints.
type result struct {
	files  map[string][]byte
	model  *iam.Model
	stderr []byte
}

// run generates a case in memory, exactly as the CLI would for
// "eksiam generate --spec spec.yaml".
func run(t *testing.T, dir string) result {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "spec.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	spec, diags := schema.Load("spec.yaml", data)
	if diags.HasErrors() {
		return result{stderr: render(diags)}
	}
	files, model, gdiags := gen.Generate(spec, gen.Options{})
	diags = append(diags, gdiags...)
	if diags.HasErrors() {
		return result{stderr: render(diags)}
	}
	out := map[string][]byte{}
	for _, f := range files {
		out[f.Path] = f.Data
	}
	m, err := json.MarshalIndent(model, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out["model.json"] = append(m, '\n')
	return result{files: out, model: model}
}

func render(diags schema.Diagnostics) []byte {
	var b bytes.Buffer
	for _, d := range diags.Sorted() {
		b.WriteString(d.String() + "\n")
	}
	return b.Bytes()
}

// wantsFormat reports whether a case generates a format: all do unless its
// spec's formats say otherwise.
func wantsFormat(t *testing.T, dir, format string) bool {
	data, err := os.ReadFile(filepath.Join(dir, "spec.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	spec, diags := schema.Load("spec.yaml", data)
	return !diags.HasErrors() && spec.HasFormat(format)
}

// cases lists the case folders, sorted.
func cases(t *testing.T) []string {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			if _, err := os.Stat(filepath.Join(e.Name(), "spec.yaml")); err == nil {
				dirs = append(dirs, e.Name())
			}
		}
	}
	if len(dirs) == 0 {
		t.Fatal("no golden cases found")
	}
	return dirs
}

// expected reads every file of a case but its spec.
func expected(t *testing.T, dir string) map[string][]byte {
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel == "spec.yaml" {
			return nil
		}
		data, err := os.ReadFile(p)
		out[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGolden(t *testing.T) {
	for _, dir := range cases(t) {
		t.Run(dir, func(t *testing.T) {
			got := run(t, dir)
			want := expected(t, dir)
			if got.stderr != nil {
				if strings.HasPrefix(dir, "valid-") || !strings.HasPrefix(dir, "invalid-") {
					if !*update {
						t.Errorf("the spec of %s fails, but only invalid-* cases may:\n%s", dir, got.stderr)
					}
				}
				got.files = map[string][]byte{"stderr.txt": got.stderr}
			} else if strings.HasPrefix(dir, "invalid-") {
				t.Errorf("the spec of %s generates, but invalid-* cases must fail", dir)
			}
			if *update {
				rewrite(t, dir, want, got.files)
				return
			}
			compare(t, want, got.files)
		})
	}
}

// compare reports every file that differs, as a -want +got diff.
func compare(t *testing.T, want, got map[string][]byte) {
	t.Helper()
	paths := make([]string, 0, len(want)+len(got))
	for p := range want {
		paths = append(paths, p)
	}
	for p := range got {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range slices.Compact(paths) {
		w, inWant := want[p]
		g, inGot := got[p]
		switch {
		case !inWant:
			t.Errorf("%s: generated but not in the golden case (run go test ./golden -update)", p)
		case !inGot:
			t.Errorf("%s: in the golden case but not generated", p)
		case !bytes.Equal(w, g):
			t.Errorf("%s differs (-want +got):\n%s", p, diff.Diff("want/"+p, w, "got/"+p, g))
		}
	}
}

func rewrite(t *testing.T, dir string, old, files map[string][]byte) {
	for p := range old {
		if _, keep := files[p]; !keep {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
				t.Fatal(err)
			}
		}
	}
	for p, data := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDeterministic generates every valid case twice and demands the same
// bytes.
func TestDeterministic(t *testing.T) {
	for _, dir := range cases(t) {
		first, second := run(t, dir), run(t, dir)
		if first.stderr != nil {
			if !bytes.Equal(first.stderr, second.stderr) {
				t.Errorf("%s: diagnostics differ between two runs", dir)
			}
			continue
		}
		for p, data := range first.files {
			if !bytes.Equal(data, second.files[p]) {
				t.Errorf("%s/%s: differs between two runs", dir, p)
			}
		}
	}
}

// TestTerraformSemantics checks every valid case's Terraform against the
// AWS provider reference: types, arguments, blocks, references.
func TestTerraformSemantics(t *testing.T) {
	ref, err := check.LoadTerraformSchema(testenv.Shared(t, "reference/terraform-aws-args.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range cases(t) {
		res := run(t, dir)
		if res.stderr != nil {
			continue
		}
		tf := map[string][]byte{}
		for p, data := range res.files {
			if strings.HasPrefix(p, "terraform/") {
				tf[p] = data
			}
		}
		if len(tf) == 0 && wantsFormat(t, dir, gen.Terraform) {
			t.Errorf("%s: no Terraform generated", dir)
		}
		if len(tf) == 0 {
			continue
		}
		for _, err := range check.Terraform(tf, ref) {
			t.Errorf("%s: %v", dir, err)
		}
	}
}

// TestHeaders checks that every generated file starts with the header that
// marks it as eksiam's, naming the spec, and holds no absolute path.
func TestHeaders(t *testing.T) {
	for _, dir := range cases(t) {
		res := run(t, dir)
		for p, data := range res.files {
			if p == "model.json" {
				continue
			}
			if !iam.IsGenerated(data) || !bytes.HasPrefix(data, []byte(iam.Header("spec.yaml")+"\n")) {
				t.Errorf("%s/%s: does not start with the generated-code header", dir, p)
			}
			if wd, _ := os.Getwd(); bytes.Contains(data, []byte(wd)) {
				t.Errorf("%s/%s: contains the absolute path %s", dir, p, wd)
			}
		}
	}
}

// TestExampleIsPinned keeps the README's example spec and its golden case
// the same file.
func TestExampleIsPinned(t *testing.T) {
	a, err := os.ReadFile("../examples/spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("example/spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("examples/spec.yaml and golden/example/spec.yaml differ; copy the one into the other")
	}
}

// TestCloudFormationSemantics validates every valid case's template
// against the CloudFormation resource schemas and resolves every
// intrinsic.
func TestCloudFormationSemantics(t *testing.T) {
	s, err := check.LoadCFNSchema(testenv.Shared(t, "reference/cfn-iam-eks.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range cases(t) {
		res := run(t, dir)
		if res.stderr != nil {
			continue
		}
		if _, ok := res.files["cloudformation/template.yaml"]; !ok {
			if wantsFormat(t, dir, gen.CloudFormation) {
				t.Errorf("%s: no CloudFormation template generated", dir)
			}
			continue
		}
		cfn := map[string][]byte{}
		for p, data := range res.files {
			if strings.HasPrefix(p, "cloudformation/") {
				cfn[p] = data
				for _, err := range check.CloudFormation(data, s) {
					t.Errorf("%s/%s: %v", dir, p, err)
				}
			}
		}
		for _, err := range check.CloudFormationStacks(cfn) {
			t.Errorf("%s: %v", dir, err)
		}
	}
}

// TestEksctlSchema validates every valid case's ClusterConfig against
// eksctl's own JSON Schema, which allows no unknown keys.
func TestEksctlSchema(t *testing.T) {
	s, err := check.CompileSchema(testenv.Shared(t, "reference/eksctl-schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range cases(t) {
		res := run(t, dir)
		data, ok := res.files["eksctl/cluster.yaml"]
		if !ok {
			continue
		}
		if err := check.EksctlConfig(data, s); err != nil {
			t.Errorf("%s: %v", dir, err)
		}
	}
}

// TestEquivalence reads every valid case's outputs back (Terraform by
// evaluating the HCL, CloudFormation by resolving its intrinsics, eksctl
// from its YAML) and checks that each grants exactly what the model, pinned
// as model.json, says: the same roles, trusts, policies and associations.
func TestEquivalence(t *testing.T) {
	for _, dir := range cases(t) {
		res := run(t, dir)
		if res.stderr != nil {
			continue
		}
		for _, err := range equiv.Check(res.model, res.files) {
			t.Errorf("%s: %v", dir, err)
		}
	}
}

// TestEksctlReadBack reads every valid case's ClusterConfig as eksctl
// loads it (sigs.k8s.io/yaml, YAML 1.1, strict) and applies eksctl's own
// rules that its JSON Schema cannot express.
func TestEksctlReadBack(t *testing.T) {
	n := 0
	for _, dir := range cases(t) {
		res := run(t, dir)
		data, ok := res.files["eksctl/cluster.yaml"]
		if !ok {
			continue
		}
		n++
		for _, err := range check.EksctlReadBack(data) {
			t.Errorf("%s: %v", dir, err)
		}
	}
	if n == 0 {
		t.Fatal("no ClusterConfig to read back")
	}
}

// strictWarnings are the valid cases that validate --strict fails on
// purpose, with the rule of their findings.
var strictWarnings = map[string]string{
	"large-policy": "iam-limits", // its statements go into customer-managed policies
}

// TestValidateStrict runs validate on every valid case: --strict passes
// (IPv6 specs, mechanism: both, session policies, presets: eksiam's and
// the add-ons' own documents are not findings, and format limits are
// checked only for the spec's formats), but for the cases above.
func TestValidateStrict(t *testing.T) {
	for _, dir := range cases(t) {
		data, err := os.ReadFile(filepath.Join(dir, "spec.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		spec, diags := schema.Load("spec.yaml", data)
		if diags.HasErrors() || strings.HasPrefix(dir, "invalid-") {
			continue
		}
		_, diags = gen.Validate(spec, false)
		for _, d := range diags {
			if d.Severity != schema.Note && d.Rule != strictWarnings[dir] {
				t.Errorf("%s: %s", dir, d)
			}
		}
	}
}
