package equiv

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/eksiam/eksiam/gen"
	"github.com/eksiam/eksiam/gen/iam"
	"github.com/eksiam/eksiam/schema"
)

func generate(t *testing.T, path string) (*iam.Model, map[string][]byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	spec, diags := schema.Load("spec.yaml", data)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	files, m, diags := gen.Generate(spec, gen.Options{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	out := map[string][]byte{}
	for _, f := range files {
		out[f.Path] = f.Data
	}
	return m, out
}

func TestFormsHaveContent(t *testing.T) {
	m, files := generate(t, "../../examples/spec.yaml")
	f := FromModel(m)
	if len(f.Roles) != 5 || len(f.Associations) != 4 {
		t.Fatalf("model form has %d roles and %d associations, want 5 and 4", len(f.Roles), len(f.Associations))
	}
	cfn, err := FromCloudFormation(files["cloudformation/template.yaml"], "aws", "eu-west-1", "111122223333")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range cfn.Roles {
		for _, p := range r.Permissions {
			if r.Name == "shop-prod-orders-orders-api" && p.Action == "sqs:SendMessage" && p.Resource == "arn:aws:sqs:eu-west-1:111122223333:orders-events" {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("the CloudFormation form lacks the orders role's sqs:SendMessage: %+v", cfn.Roles)
	}
	if errs := Check(m, files); len(errs) != 0 {
		t.Fatalf("the example's outputs do not agree: %v", errs)
	}
}

// TestCheckFindsADifference alters one output at a time; the check must
// name the format that differs.
func TestCheckFindsADifference(t *testing.T) {
	m, files := generate(t, "../../examples/spec.yaml")
	for _, tc := range []struct{ name, file, from, to, want string }{
		{"terraform action", "terraform/pod_roles.tf", `"sqs:SendMessage"`, `"sqs:SendMessageBatch"`, "the Terraform output grants something else"},
		{"terraform trust condition", "terraform/pod_roles.tf", `values   = ["orders-api"]`, `values   = ["orders-ap1"]`, "the Terraform output grants something else"},
		{"terraform attachment", "terraform/node.tf", "AmazonSSMManagedInstanceCore", "AmazonSSMFullAccess", "the Terraform output grants something else"},
		{"terraform association", "terraform/pod_roles.tf", `service_account = "exporter"`, `service_account = "exporter2"`, "the Terraform output grants something else"},
		{"cloudformation resource", "cloudformation/template.yaml", "shop-orders-${Environment}/*", "shop-orders-${Environment}/x/*", "the CloudFormation template grants something else"},
		{"cloudformation role name", "cloudformation/template.yaml", "-reports-exporter", "-reports-exp", "the CloudFormation template grants something else"},
		{"cloudformation trust", "cloudformation/template.yaml", "aws:RequestTag/kubernetes-namespace: payments", "aws:RequestTag/kubernetes-namespace: other", "the CloudFormation template grants something else"},
		{"eksctl policy", "eksctl/cluster.yaml", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3FullAccess", "the eksctl ClusterConfig grants something else"},
		{"eksctl node group", "eksctl/cluster.yaml", "        - arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore\n", "", "node group default has other policies"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			altered := map[string][]byte{}
			for p, d := range files {
				altered[p] = d
			}
			before := string(files[tc.file])
			after := strings.Replace(before, tc.from, tc.to, 1)
			if after == before {
				t.Fatalf("%q is not in %s", tc.from, tc.file)
			}
			altered[tc.file] = []byte(after)
			var all []string
			for _, err := range Check(m, altered) {
				all = append(all, err.Error())
			}
			if !strings.Contains(strings.Join(all, "\n"), tc.want) {
				t.Errorf("want a difference reported as %q, got %q", tc.want, all)
			}
		})
	}
}

// TestTerraformLocalsInDependencyOrder: locals that refer to each other
// evaluate whatever order Go's maps yield them in.
func TestTerraformLocalsInDependencyOrder(t *testing.T) {
	var b strings.Builder
	b.WriteString("locals {\n")
	for i := range 10 {
		if i == 9 {
			fmt.Fprintf(&b, "  l%d = \"shop-prod-x\"\n", i)
		} else {
			fmt.Fprintf(&b, "  l%d = local.l%d\n", i, i+1)
		}
	}
	b.WriteString("}\n\n")
	b.WriteString(`data "aws_iam_policy_document" "t" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "r" {
  name               = local.l0
  assume_role_policy = data.aws_iam_policy_document.t.json
}
`)
	f, err := FromTerraform(map[string][]byte{"main.tf": []byte(b.String())}, "aws", "eu-west-1", UnknownAccount)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Roles) != 1 || f.Roles[0].Name != "shop-prod-x" {
		t.Errorf("roles %+v", f.Roles)
	}
}
