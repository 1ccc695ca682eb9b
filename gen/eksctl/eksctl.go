// Package eksctl writes the IAM model as an eksctl ClusterConfig (SPEC §3):
// the cluster's metadata, iam.podIdentityAssociations and, for IRSA,
// iam.serviceAccounts, the vpc-cni add-on's association for the CNI role,
// the add-ons Pod Identity and IPv6 need, and the node role's policies on
// every managed node group. eksctl has no variables, so every reference is
// written as its value; what eksctl cannot carry is said in a comment
// beside the entry. It emits only what eksctl reads and holds no policy
// logic.
package eksctl

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksiam/eksiam/gen/iam"
	"github.com/eksiam/eksiam/gen/internal/parallel"
	y "github.com/eksiam/eksiam/gen/internal/yamlnode"
	"github.com/eksiam/eksiam/schema"
)

// Path is where the ClusterConfig goes in the output folder.
const Path = "eksctl/cluster.yaml"

// Emit renders the model as eksctl/cluster.yaml. The model must have
// passed gen's eksctl checks (every value known, no mechanism both, no
// customer-managed policies); Emit fails only on a bug.
//
// The lists that grow with the spec (the Pod Identity associations and the
// IRSA ServiceAccounts) are encoded entry by entry, on every core, and
// nested under iam: memory stays flat and time grows linearly with the spec.
func Emit(m *iam.Model) ([]iam.File, error) {
	e := &emitter{m: m}
	head := y.NewMapping().
		Add("apiVersion", y.Str("eksctl.io/v1alpha5")).
		Add("kind", y.Str("ClusterConfig")).
		Add("metadata", e.metadata())
	if m.IPFamily == "ipv6" {
		head.Add("kubernetesNetworkConfig", y.NewMapping().Add("ipFamily", y.Str("IPv6")).Node)
	}
	var b bytes.Buffer
	data, err := y.Encode(head.Node, iam.Header(m.SpecName),
		"# eksctl creates the roles below itself; the Terraform and CloudFormation outputs of the",
		"# same spec create them with everything eksctl cannot express (see the comments).")
	if err != nil {
		return nil, fmt.Errorf("eksctl: %w", err)
	}
	b.Write(data)
	if err := e.iam(&b); err != nil {
		return nil, fmt.Errorf("eksctl: %w", err)
	}
	tail := y.NewMapping()
	if entries := e.accessEntries(); len(entries.Content) > 0 {
		entries.Content[0].HeadComment = "The node roles these entries name are not eksctl's: create them first, without their\n" +
			"access entries (the Terraform or CloudFormation output of the spec with accessEntry: false\n" +
			"on these roles), since an entry is one per principal and eksctl creates these."
		tail.Add("accessConfig", y.NewMapping().Add("accessEntries", entries).Node)
	}
	if auto := e.autoMode(); auto != nil {
		tail.Add("autoModeConfig", auto)
	}
	if addons := e.addons(); len(addons.Content) > 0 {
		tail.Add("addons", addons)
	}
	if len(m.NodeGroups()) > 0 {
		tail.Add("managedNodeGroups", e.nodeGroups())
	}
	if tail.Len() > 0 {
		data, err := y.Encode(tail.Node)
		if err != nil {
			return nil, fmt.Errorf("eksctl: %w", err)
		}
		b.Write(data)
	}
	for _, line := range e.uncarried() {
		b.WriteString("# " + line + "\n")
	}
	return []iam.File{{Path: Path, Data: b.Bytes()}}, nil
}

// carried reports whether eksctl's accessConfig takes an access entry of
// that type (its validation refuses EC2 and HYBRID_LINUX).
func carried(entryType string) bool {
	return entryType == "EC2_LINUX" || entryType == "EC2_WINDOWS"
}

// accessEntries are the node roles' access entries that eksctl can
// create: EC2_LINUX and EC2_WINDOWS.
func (e *emitter) accessEntries() *yaml.Node {
	var out []*yaml.Node
	for _, r := range e.m.AccessEntries() {
		if t := r.Node.AccessEntry.Type; carried(t) {
			out = append(out, y.NewMapping().
				Add("principalARN", y.Str(r.ARN(e.m.Value))).
				Add("type", y.Str(t)).Node)
		}
	}
	return y.Seq(out...)
}

// autoMode turns EKS Auto Mode on with the spec's Auto Mode node role.
func (e *emitter) autoMode() *yaml.Node {
	r := e.m.AutoModeNodeRole()
	if r == nil {
		return nil
	}
	return y.NewMapping().
		Add("enabled", y.Bool(true)).
		Add("nodeRoleARN", y.Str(r.ARN(e.m.Value))).Node
}

// uncarried says what of the node roles eksctl cannot carry: the access
// entries of types its validation refuses, with what to do instead.
func (e *emitter) uncarried() []string {
	var lines []string
	for _, r := range e.m.AccessEntries() {
		n := r.Node
		switch t := n.AccessEntry.Type; {
		case carried(t):
		case n.Kind == schema.KindHybrid:
			provider := "SSM"
			if n.Credentials == schema.CredentialsRolesAnywhere {
				provider = "IRA"
			}
			lines = append(lines,
				"Hybrid node role "+n.Name+" ("+t+" access entry): eksctl takes it only with the hybrid",
				"network, which the spec does not have: add remoteNetworkConfig with vpcGatewayID,",
				"remoteNodeNetworks and iam: {provider: "+provider+", roleARN: "+r.ARN(e.m.Value)+"},",
				"or create the role and its entry with the Terraform or CloudFormation output.")
		default:
			lines = append(lines,
				"Node role "+n.Name+" needs an access entry of type "+t+", which eksctl's accessConfig",
				"refuses: the Terraform and CloudFormation outputs create it.")
		}
	}
	return lines
}

type emitter struct {
	m *iam.Model
}

// value writes an Expr as its value: eksctl has no variables.
func (e *emitter) value(x iam.Expr) string { return x.Resolve(e.m.Value) }

func (e *emitter) metadata() *yaml.Node {
	md := y.NewMapping().
		Add("name", y.Str(e.m.Cluster.Name)).
		Add("region", y.Str(e.m.Cluster.Region))
	if e.m.Cluster.Version != "" {
		md.Add("version", y.Str(e.m.Cluster.Version))
	}
	if len(e.m.Tags) > 0 {
		md.Add("tags", tagMap(e.m.Tags))
	}
	return md.Node
}

// iam writes the iam section: withOIDC, and the entries of
// podIdentityAssociations and serviceAccounts, each encoded on its own.
func (e *emitter) iam(b *bytes.Buffer) error {
	var pia, sas []*iam.Role
	for _, r := range e.m.PodRoles {
		switch {
		case r.AddOn == "vpc-cni":
			// the vpc-cni add-on's association
		case r.Mechanism == "pod-identity":
			pia = append(pia, r)
		case r.Mechanism == "irsa":
			sas = append(sas, r)
		}
	}
	oidc := e.m.IRSA != nil || e.m.IPFamily == "ipv6"
	if !oidc && len(pia) == 0 && len(sas) == 0 {
		return nil
	}
	b.WriteString("iam:\n")
	if oidc {
		b.WriteString("  withOIDC: true\n")
	}
	list := func(key string, roles []*iam.Role, entry func(*iam.Role) *yaml.Node) error {
		if len(roles) == 0 {
			return nil
		}
		type piece struct {
			data []byte
			err  error
		}
		pieces := parallel.Map(len(roles), func(i int) piece {
			data, err := y.EncodeIndented(y.Seq(entry(roles[i])), 4)
			return piece{data, err}
		})
		size := 0
		for _, p := range pieces {
			size += len(p.data)
		}
		b.Grow(size + len(key) + 4)
		b.WriteString("  " + key + ":\n")
		for _, p := range pieces {
			if p.err != nil {
				return p.err
			}
			b.Write(p.data)
		}
		return nil
	}
	if err := list("podIdentityAssociations", pia, func(r *iam.Role) *yaml.Node { return e.association(r).Node }); err != nil {
		return err
	}
	return list("serviceAccounts", sas, e.serviceAccount)
}

// association writes a Pod Identity association with the role eksctl
// creates for it.
func (e *emitter) association(r *iam.Role) y.Mapping {
	a := r.Association
	entry := y.NewMapping().
		Add("namespace", y.Str(a.Namespace)).
		Add("serviceAccountName", y.Str(a.ServiceAccount)).
		Add("roleName", y.Str(e.value(r.Name)))
	entry.Node.HeadComment = e.comment(r)
	e.permissions(entry, r, "permissionPolicyARNs", "permissionPolicy")
	if r.PermissionsBoundary != nil {
		entry.Add("permissionsBoundaryARN", y.Str(e.value(r.PermissionsBoundary)))
	}
	if a.TargetRoleARN != nil {
		entry.Add("targetRoleARN", y.Str(e.value(a.TargetRoleARN)))
	}
	if !a.SessionTags {
		entry.Add("disableSessionTags", y.Bool(true))
	}
	if a.SessionPolicy != nil {
		entry.Add("policy", y.Str(a.SessionPolicy.JSON(e.value)))
	}
	if tags := e.ownTags(r.Tags); len(tags) > 0 {
		entry.Add("tags", tagMap(tags))
	}
	return entry
}

// comment says what the role eksctl creates trusts, and what eksctl
// cannot carry of a pod role.
func (e *emitter) comment(r *iam.Role) string {
	lines := []string{r.Summary()}
	if r.Mechanism != "irsa" {
		lines = []string{r.Namespace + "/" + r.ServiceAccount + ": EKS Pod Identity. eksctl trusts pods.eks.amazonaws.com without conditions,",
			"so any Pod Identity association in the account may use this role."}
		if r.Trust == "scoped" {
			lines = append(lines, "The Terraform and CloudFormation outputs limit it to this cluster, namespace and ServiceAccount.")
		}
	}
	if r.MaxSessionDuration != 3600 {
		lines = append(lines, fmt.Sprintf("eksctl cannot set the session length: maxSessionDuration %d stays at eksctl's default.", r.MaxSessionDuration))
	}
	return strings.Join(lines, "\n")
}

// permissions writes a role's managed ARNs and its own policies as one
// inline document.
func (e *emitter) permissions(entry y.Mapping, r *iam.Role, arnsKey, policyKey string) {
	if len(r.ManagedPolicyARNs) > 0 {
		arns := make([]*yaml.Node, len(r.ManagedPolicyARNs))
		for i, a := range r.ManagedPolicyARNs {
			arns[i] = y.Str(e.value(a))
		}
		entry.Add(arnsKey, y.Seq(arns...))
	}
	var stmts []iam.Statement
	for _, p := range r.InlinePolicies {
		stmts = append(stmts, p.Document.Statements...)
	}
	if len(stmts) > 0 {
		entry.Add(policyKey, e.document(iam.Document{Statements: stmts}))
	}
}

// ownTags are the role's tags that metadata.tags, which eksctl puts on
// every resource it creates, does not already carry.
func (e *emitter) ownTags(tags []iam.Tag) []iam.Tag {
	var out []iam.Tag
	for _, t := range tags {
		if !slices.Contains(e.m.Tags, t) {
			out = append(out, t)
		}
	}
	return out
}

func (e *emitter) serviceAccount(r *iam.Role) *yaml.Node {
	meta := y.NewMapping().Add("name", y.Str(r.ServiceAccount)).Add("namespace", y.Str(r.Namespace))
	entry := y.NewMapping().
		Add("metadata", meta.Node).
		Add("roleName", y.Str(e.value(r.Name))).
		Add("roleOnly", y.Bool(true))
	entry.Node.HeadComment = e.comment(r)
	e.permissions(entry, r, "attachPolicyARNs", "attachPolicy")
	if r.PermissionsBoundary != nil {
		entry.Add("permissionsBoundary", y.Str(e.value(r.PermissionsBoundary)))
	}
	if tags := e.ownTags(r.Tags); len(tags) > 0 {
		entry.Add("tags", tagMap(tags))
	}
	return entry.Node
}

// addons lists the add-ons the roles need: vpc-cni with the CNI role's
// association, eks-pod-identity-agent for Pod Identity, and what eksctl
// requires with IPv6 (vpc-cni, coredns, kube-proxy).
func (e *emitter) addons() *yaml.Node {
	var out []*yaml.Node
	var cni *iam.Role
	for _, r := range e.m.PodRoles {
		if r.AddOn == "vpc-cni" {
			cni = r
		}
	}
	ipv6 := e.m.IPFamily == "ipv6"
	if cni != nil || ipv6 {
		vpc := y.NewMapping().Add("name", y.Str("vpc-cni"))
		if cni != nil {
			vpc.Add("podIdentityAssociations", y.Seq(e.association(cni).Node))
		} else {
			vpc.Node.HeadComment = "IPv6 needs the vpc-cni, coredns and kube-proxy add-ons and iam.withOIDC. With OIDC on,\n" +
				"eksctl gives vpc-cni an IRSA role of its own with the VPC CNI's policy."
		}
		out = append(out, vpc.Node)
	}
	if ipv6 {
		out = append(out, y.NewMapping().Add("name", y.Str("coredns")).Node, y.NewMapping().Add("name", y.Str("kube-proxy")).Node)
	}
	if len(e.m.Associations()) > 0 {
		out = append(out, y.NewMapping().Add("name", y.Str("eks-pod-identity-agent")).Node)
	}
	return y.Seq(out...)
}

// nodeGroups writes one managed node group per name of each EC2 node
// role, each carrying every policy of its role: eksctl drops its defaults
// once attachPolicyARNs is set, and names each group's role itself.
func (e *emitter) nodeGroups() *yaml.Node {
	var out []*yaml.Node
	for _, r := range e.m.NodeRoles {
		for i, name := range r.Node.NodeGroups {
			nodeIAM := y.NewMapping()
			e.permissions(nodeIAM, r, "attachPolicyARNs", "attachPolicy")
			if r.PermissionsBoundary != nil {
				nodeIAM.Add("instanceRolePermissionsBoundary", y.Str(e.value(r.PermissionsBoundary)))
			}
			group := y.NewMapping().Add("name", y.Str(name))
			if r.Node.OS == schema.OSWindows {
				group.Add("amiFamily", y.Str(windowsAMIFamily))
			}
			group.Add("iam", nodeIAM.Node)
			if i == 0 {
				group.Node.HeadComment = strings.Join(nodeGroupNotes(r), "\n")
			}
			out = append(out, group.Node)
		}
	}
	return y.Seq(out...)
}

// windowsAMIFamily is the AMI family of a Windows node role's managed node
// groups: eksctl's Windows Server 2022 Core, which EKS supports longest of
// the families eksctl lists; change it in the output for another.
const windowsAMIFamily = "WindowsServer2022CoreContainer"

// nodeGroupNotes are the comments above a node role's first node group.
func nodeGroupNotes(r *iam.Role) []string {
	var notes []string
	if r.Node.Shorthand {
		notes = append(notes, "The node role's policies. eksctl creates one role per node group and names it itself.")
		what, are := "node role", "is"
		if r.InstanceProfile {
			what, are = "node role and instance profile", "are"
		}
		notes = append(notes, "eksctl has no standalone node role: the "+what+" that the Terraform",
			"and CloudFormation outputs create for self-managed nodes and Karpenter "+are+" not created here.")
	} else {
		notes = append(notes, "The policies of node role "+r.Node.Name+". eksctl creates one role per node group and names it",
			"itself; the role that the Terraform and CloudFormation outputs create is not created here.")
	}
	if r.Path != "/" {
		notes = append(notes, "eksctl cannot set the role path "+r.Path+".")
	}
	return notes
}

// document writes a policy document with every value resolved.
func (e *emitter) document(d iam.Document) *yaml.Node {
	return y.Document(d, func(x iam.Expr) *yaml.Node { return y.Str(e.value(x)) }, e.value)
}

func tagMap(tags []iam.Tag) *yaml.Node {
	m := y.NewMapping()
	for _, t := range tags {
		m.Add(t.Key, y.Str(t.Value))
	}
	return m.Node
}
