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
	value := Values(m)
	// eksctl names node roles itself, one per managed node group: each
	// group must carry its node role's policies, and the node roles
	// themselves are not among eksctl's named roles.
	nodes := map[string]*Role{} // by name
	var wantGroups []string
	groupRole := map[string]string{}
	for _, r := range m.NodeRoles {
		name := r.Name.Resolve(value)
		nodes[name] = nil
		for _, g := range r.Node.NodeGroups {
			wantGroups = append(wantGroups, g)
			groupRole[g] = name
		}
	}
	want := Form{Associations: model.Associations}
	for _, r := range model.Roles {
		r.Trust = nil // eksctl writes no trust: it makes its own
		if _, ok := nodes[r.Name]; ok {
			node := r
			node.Name = ""
			nodes[r.Name] = &node
			continue
		}
		want.Roles = append(want.Roles, r)
	}
	// eksctl's accessConfig takes EC2_LINUX and EC2_WINDOWS entries only.
	for _, e := range model.AccessEntries {
		if e.Type == "EC2_LINUX" || e.Type == "EC2_WINDOWS" {
			want.AccessEntries = append(want.AccessEntries, e)
		}
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
	slices.Sort(wantGroups)
	if !slices.Equal(groups, wantGroups) && !(len(groups) == 0 && len(wantGroups) == 0) {
		errs = append(errs, fmt.Errorf("eksctl node groups %v, want %v", groups, wantGroups))
	}
	for _, g := range groups {
		node := nodes[groupRole[g]]
		if node == nil {
			continue
		}
		if d := Diff("model node role", Form{Roles: []Role{*node}}, "eksctl node group "+g, Form{Roles: []Role{got.NodeGroups[g]}}); d != "" {
			errs = append(errs, fmt.Errorf("eksctl node group %s has other policies than its node role:\n%s", g, d))
		}
	}
	wantAuto := ""
	if r := m.AutoModeNodeRole(); r != nil {
		wantAuto = r.ARN(value)
	}
	if got.AutoModeNodeRole != wantAuto {
		errs = append(errs, fmt.Errorf("eksctl autoModeConfig.nodeRoleARN %q, want %q", got.AutoModeNodeRole, wantAuto))
	}
	return errs
}
