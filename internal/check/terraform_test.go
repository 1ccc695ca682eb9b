package check

import (
	"strings"
	"testing"

	"github.com/eksiam/eksiam/internal/testenv"
)

// TestTerraformCatchesMistakes shows that the golden semantics check fails
// on the mistakes it exists for.
func TestTerraformCatchesMistakes(t *testing.T) {
	s, err := LoadTerraformSchema(testenv.Shared(t, "reference/terraform-aws-args.json"))
	if err != nil {
		t.Fatal(err)
	}
	good := `data "aws_partition" "current" {}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "node" {
  name               = "n"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

output "arn" {
  value = aws_iam_role.node.arn
}
`
	if errs := Terraform(map[string][]byte{"main.tf": []byte(good)}, s); len(errs) != 0 {
		t.Fatalf("a correct module fails: %v", errs)
	}
	for _, tc := range []struct{ name, from, to, want string }{
		{"misspelled argument", `name               = "n"`, `nmae               = "n"`, `has no argument "nmae"`},
		{"missing required argument", `  assume_role_policy = data.aws_iam_policy_document.trust.json`, ``, `lacks the required argument "assume_role_policy"`},
		{"deprecated argument", `name               = "n"`, `managed_policy_arns = []`, `is deprecated`},
		{"unknown nested block", `principals {`, `principal {`, `no nested block "principal"`},
		{"unknown resource type", `resource "aws_iam_role" "node"`, `resource "aws_iam_rol" "node"`, `type "aws_iam_rol" is not in the reference`},
		{"dangling reference", `aws_iam_role.node.arn`, `aws_iam_role.nodes.arn`, `aws_iam_role.nodes is not declared`},
		{"unknown attribute", `aws_iam_role.node.arn`, `aws_iam_role.node.role_arn`, `has no attribute "role_arn"`},
		{"undeclared variable", `name               = "n"`, `name               = var.nope`, `var.nope is not declared`},
		{"unformatted", `  value = aws_iam_role.node.arn`, `  value    = aws_iam_role.node.arn`, `not formatted`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(good, tc.from, tc.to, 1)
			errs := Terraform(map[string][]byte{"main.tf": []byte(bad)}, s)
			var all []string
			for _, e := range errs {
				all = append(all, e.Error())
			}
			if !strings.Contains(strings.Join(all, "\n"), tc.want) {
				t.Errorf("want an error containing %q, got %q", tc.want, all)
			}
		})
	}
}
