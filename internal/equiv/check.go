package equiv

import (
	"fmt"
	"slices"
	"strings"

	"github.com/eksiam/eksiam/gen/iam"
)

// Check reads every output among files (path -> content, as gen renders
// them) back into the normalized form and compares it with the model's:
// Terraform and CloudFormation must say exactly what the model says;
// eksctl must say it for what eksctl carries (role names, managed policies,
// permissions and associations; the node role's policies on every node
// group; no trust).
func Check(m *iam.Model, files map[string][]byte) []error {
	var errs []error
	want := FromModel(m)
	value := Values(m)
	account := value(iam.RefAccount)
	tf := map[string][]byte{}
	for p, data := range files {
		if strings.HasPrefix(p, "terraform/") {
			tf[p] = data
		}
	}
	if len(tf) > 0 {
		got, err := FromTerraform(tf, m.Cluster.Partition, m.Cluster.Region, account)
		if err != nil {
			errs = append(errs, fmt.Errorf("reading Terraform: %w", err))
		} else if d := Diff("model", want, "terraform", got); d != "" {
			errs = append(errs, fmt.Errorf("the Terraform output grants something else than the model (-model +terraform):\n%s", d))
		}
	}
	if _, ok := files["cloudformation/template.yaml"]; ok {
		got, err := FromCloudFormationStacks(files, "cloudformation/template.yaml", m.Cluster.Partition, m.Cluster.Region, account)
		if err != nil {
			errs = append(errs, fmt.Errorf("reading CloudFormation: %w", err))
		} else if d := Diff("model", want, "cloudformation", got); d != "" {
			errs = append(errs, fmt.Errorf("the CloudFormation template grants something else than the model (-model +cloudformation):\n%s", d))
		}
	}
	if c, ok := files["eksctl/cluster.yaml"]; ok {
		errs = append(errs, checkEksctl(m, want, c)...)
	}
	return errs
}

// checkEksctl compares a ClusterConfig with what eksctl can carry of the
// model.
func checkEksctl(m *iam.Model, model Form, data []byte) []error {
	got, err := FromEksctl(data)
	if err != nil {
		return []error{fmt.Errorf("reading eksctl: %w", err)}
	}
	var errs []error
	nodeName := ""
	if m.NodeRole != nil {
		nodeName = m.NodeRole.Name.Resolve(Values(m))
	}
	want := Form{Associations: model.Associations}
	var node *Role
	for _, r := range model.Roles {
		r.Trust = nil // eksctl writes no trust: it makes its own
		if r.Name == nodeName {
			r.Name = ""
			node = &r
			continue
		}
		want.Roles = append(want.Roles, r)
	}
	want.normalize()
	if d := Diff("model", want, "eksctl", got.Form); d != "" {
		errs = append(errs, fmt.Errorf("the eksctl ClusterConfig grants something else than the model (-model +eksctl):\n%s", d))
	}
	var groups []string
	for g := range got.NodeGroups {
		groups = append(groups, g)
	}
	slices.Sort(groups)
	if !slices.Equal(groups, m.NodeGroups) && !(len(groups) == 0 && m.NodeRole == nil) {
		errs = append(errs, fmt.Errorf("eksctl node groups %v, want %v", groups, m.NodeGroups))
	}
	if node != nil {
		for _, g := range groups {
			if d := Diff("model node role", Form{Roles: []Role{*node}}, "eksctl node group "+g, Form{Roles: []Role{got.NodeGroups[g]}}); d != "" {
				errs = append(errs, fmt.Errorf("eksctl node group %s has other policies than the node role:\n%s", g, d))
			}
		}
	}
	return errs
}
