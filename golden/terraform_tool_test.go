package golden

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/eksiam/eksiam/gen/iam"
	"github.com/eksiam/eksiam/internal/equiv"
	"github.com/eksiam/eksiam/internal/testenv"
)

// TestTerraformTool runs the real terraform on every valid case's module,
// as a user would: terraform init -backend=false (offline, from a local
// provider mirror), terraform fmt -check, terraform validate, and
// terraform test with a
// mock_provider "aws" that plans the module with its defaults. The test
// file is written here: it asserts that every resource and policy
// document is planned and that each of their arguments evaluates, in
// Terraform itself, to what eksiam's own reader of the module (the one
// the equivalence test holds to the model) says it does. Cases whose
// provider constraint the installed provider does not meet are skipped
// with a message naming the version they need.
func TestTerraformTool(t *testing.T) {
	tf := testenv.Tool(t, "terraform")
	env := testenv.TerraformEnv(t)
	for _, dir := range cases(t) {
		res := run(t, dir)
		if res.stderr != nil {
			continue
		}
		files := map[string][]byte{}
		for p, data := range res.files {
			if name, ok := strings.CutPrefix(p, "terraform/"); ok {
				files[name] = data
			}
		}
		if len(files) == 0 {
			continue
		}
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			work := t.TempDir()
			for name, data := range files {
				if err := os.WriteFile(filepath.Join(work, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.MkdirAll(filepath.Join(work, "tests"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(work, "tests", "eksiam.tftest.hcl"), terraformTestFile(t, res.model, files), 0o644); err != nil {
				t.Fatal(err)
			}
			if keep := os.Getenv("EKSIAM_KEEP_TF"); keep != "" {
				t.Logf("module and test in %s", work)
				t.Cleanup(func() { os.CopyFS(filepath.Join(keep, dir), os.DirFS(work)) })
			}
			terraform := func(args ...string) (string, error) {
				cmd := exec.Command(tf, append(args, "-no-color")...)
				cmd.Dir, cmd.Env = work, env
				out, err := cmd.CombinedOutput()
				return string(out), err
			}
			if out, err := terraform("init", "-backend=false", "-input=false"); err != nil {
				if strings.Contains(out, "no available releases match the given constraints") {
					t.Skipf("%s needs hashicorp/aws %s, which the installed provider does not meet: not checked by terraform (install that provider to check it)",
						dir, providerConstraint(files["versions.tf"]))
				}
				t.Fatalf("terraform init:\n%s", out)
			}
			if out, err := terraform("fmt", "-check", "-diff"); err != nil {
				t.Errorf("terraform fmt -check: the module is not as terraform fmt lays it out:\n%s", out)
			}
			if out, err := terraform("validate"); err != nil || strings.Contains(out, "Warning") {
				t.Errorf("terraform validate:\n%s", out)
			}
			if out, err := terraform("test"); err != nil || strings.Contains(out, "Warning") {
				t.Errorf("terraform test:\n%s", out)
			}
		})
	}
}

var providerVersionRE = regexp.MustCompile(`source\s*=\s*"hashicorp/aws"\s+version\s*=\s*"([^"]+)"`)

func providerConstraint(versions []byte) string {
	if m := providerVersionRE.FindSubmatch(versions); m != nil {
		return string(m[1])
	}
	return "(see versions.tf)"
}

// terraformTestFile writes a terraform test that plans the module with a
// mocked aws provider whose data sources return what eksiam's reader
// assumes (the spec's partition, the account, the OIDC provider of a
// lookup), and asserts every argument of every resource and policy
// document that is known at plan time.
func terraformTestFile(t *testing.T, m *iam.Model, files map[string][]byte) []byte {
	t.Helper()
	value := equiv.Values(m)
	partition, account := m.Cluster.Partition, value(iam.RefAccount)
	issuer := equiv.OIDCIssuer(m.Cluster.Region)
	eval, err := equiv.NewTerraformEval(files, partition, m.Cluster.Region, account)
	if err != nil {
		t.Fatal(err)
	}
	lit := func(v cty.Value) string { return string(hclwrite.TokensForValue(v).Bytes()) }
	var b bytes.Buffer
	fmt.Fprintf(&b, `mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = %s }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = %s }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = %s }
  }
  mock_data "aws_eks_cluster" {
    defaults = { identity = [{ oidc = [{ issuer = %s }] }] }
  }
  mock_data "aws_iam_openid_connect_provider" {
    defaults = { arn = %s }
  }
}

run "plan" {
  command = plan
`, lit(cty.StringVal(partition)), lit(cty.StringVal(account)), lit(cty.StringVal(`{"Version":"2012-10-17","Statement":[]}`)),
		lit(cty.StringVal("https://"+issuer)), lit(cty.StringVal("arn:"+partition+":iam::"+account+":oidc-provider/"+issuer)))
	asserts := 0
	assert := func(cond string) {
		asserts++
		fmt.Fprintf(&b, "\n  assert {\n    condition     = %s\n    error_message = %s\n  }\n", cond,
			lit(cty.StringVal("Terraform does not evaluate this as eksiam's reader does: "+cond)))
	}
	// expect asserts one argument: sets of strings compared as sets, maps
	// as maps, the rest as they are.
	expect := func(path string, x hclsyntax.Expression) {
		if !knownAtPlan(x) {
			return
		}
		v, err := eval.Value(x)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if v.IsNull() || !v.IsWhollyKnown() {
			return
		}
		switch ty := v.Type(); {
		case ty.IsTupleType() || ty.IsListType() || ty.IsSetType():
			if v.LengthInt() == 0 {
				assert(fmt.Sprintf("length(%s) == 0", path))
				return
			}
			assert(fmt.Sprintf("toset(%s) == toset(%s)", path, lit(v)))
		case ty.IsObjectType() || ty.IsMapType():
			assert(fmt.Sprintf("%s == tomap(%s)", path, lit(v)))
		default:
			assert(fmt.Sprintf("%s == %s", path, lit(v)))
		}
	}
	for _, blk := range eval.Blocks() {
		var addr string
		switch {
		case blk.Type == "resource":
			addr = blk.Labels[0] + "." + blk.Labels[1]
		case blk.Type == "data" && blk.Labels[0] == "aws_iam_policy_document":
			addr = "data." + blk.Labels[0] + "." + blk.Labels[1]
		default:
			continue
		}
		for _, name := range sortedAttrs(blk.Body) {
			expect(addr+"."+name, blk.Body.Attributes[name].Expr)
		}
		i := 0
		for _, st := range blk.Body.Blocks {
			if st.Type != "statement" {
				continue
			}
			path := fmt.Sprintf("%s.statement[%d]", addr, i)
			i++
			for _, name := range sortedAttrs(st.Body) {
				expect(path+"."+name, st.Body.Attributes[name].Expr)
			}
			// principals and condition are sets of blocks: compare them
			// as sets of "type|identifier" and "test|variable|value".
			sets := map[string][]string{}
			for _, nb := range st.Body.Blocks {
				get := func(attr string) cty.Value {
					v, err := eval.Value(nb.Body.Attributes[attr].Expr)
					if err != nil {
						t.Fatalf("%s %s: %v", path, nb.Type, err)
					}
					return v
				}
				switch nb.Type {
				case "principals", "not_principals":
					for _, id := range get("identifiers").AsValueSlice() {
						sets[nb.Type] = append(sets[nb.Type], get("type").AsString()+"|"+id.AsString())
					}
				case "condition":
					for _, v := range get("values").AsValueSlice() {
						sets[nb.Type] = append(sets[nb.Type], get("test").AsString()+"|"+get("variable").AsString()+"|"+v.AsString())
					}
				}
			}
			for _, kind := range []string{"principals", "not_principals", "condition"} {
				n := 0
				for _, nb := range st.Body.Blocks {
					if nb.Type == kind {
						n++
					}
				}
				assert(fmt.Sprintf("length(%s.%s) == %d", path, kind, n))
				if n == 0 {
					continue
				}
				want := make([]cty.Value, len(sets[kind]))
				for j, s := range sets[kind] {
					want[j] = cty.StringVal(s)
				}
				inner := `[for id in x.identifiers : "${x.type}|${id}"]`
				if kind == "condition" {
					inner = `[for v in x.values : "${x.test}|${x.variable}|${v}"]`
				}
				assert(fmt.Sprintf("toset(flatten([for x in %s.%s : %s])) == toset(%s)", path, kind, inner, lit(cty.TupleVal(want))))
			}
		}
	}
	if asserts == 0 {
		t.Fatal("the terraform test asserts nothing")
	}
	b.WriteString("}\n")
	return b.Bytes()
}

func sortedAttrs(body *hclsyntax.Body) []string {
	var names []string
	for name := range body.Attributes {
		if !slices.Contains([]string{"count", "for_each", "depends_on", "provider"}, name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// knownAtPlan reports whether Terraform knows an expression's value when
// it plans a new module: it may refer to variables, locals, data sources
// (mocked) and resources' configured names, but not to what only apply
// tells (an arn, an id) nor to a policy document's json (mocked).
func knownAtPlan(x hclsyntax.Expression) bool {
	for _, tr := range x.Variables() {
		root := tr.RootName()
		switch {
		case root == "var" || root == "local":
		case root == "data":
			if len(tr) > 1 {
				if a, ok := tr[1].(hcl.TraverseAttr); ok && a.Name == "aws_iam_policy_document" {
					return false
				}
			}
		default:
			if len(tr) < 3 {
				return false
			}
			if a, ok := tr[2].(hcl.TraverseAttr); !ok || a.Name != "name" {
				return false
			}
		}
	}
	return true
}
