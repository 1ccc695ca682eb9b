// Package iam is eksiam's IAM model: the roles, trust policies, permission
// policies and Pod Identity associations that a spec asks for, normalized
// and sorted, with every value that may differ per output format held as an
// Expr. Build turns a validated schema.Spec into a Model; it applies the
// naming rules, the trust rules and IAM's limits. The model knows nothing of
// output formats: the emitters translate it into syntax.
package iam

import "github.com/eksiam/eksiam/schema"

// Model is everything eksiam generates for one spec.
type Model struct {
	// SpecName is the base name of the spec file, for generated headers.
	SpecName    string     `json:"spec"`
	Project     string     `json:"project"`
	Environment string     `json:"environment"`
	Cluster     Cluster    `json:"cluster"`
	Variables   []Variable `json:"variables"`
	Tags        []Tag      `json:"tags,omitempty"`
	// NodeRoles are the node roles in the spec's order: the nodeRole
	// shorthand's one (unless nodeRole.enabled is false), or nodeRoles.
	NodeRoles []*Role `json:"nodeRoles,omitempty"`
	IPFamily  string  `json:"ipFamily"`
	// PodRoles are sorted by namespace, then ServiceAccount name.
	PodRoles []*Role `json:"podRoles"`
	// IRSA is set when a role trusts the cluster's OIDC provider.
	IRSA *IRSA `json:"irsa,omitempty"`
	// ClusterPos is where the spec's cluster mapping is, for diagnostics
	// about the cluster as a whole.
	ClusterPos schema.Pos `json:"-"`
	// NestedStacks lays the CloudFormation output's pod roles out in
	// nested stacks (cloudformation.nestedStacks).
	NestedStacks bool `json:"nestedStacks,omitempty"`
}

// Cluster is the cluster the roles belong to, as the spec gives it.
type Cluster struct {
	Name      string `json:"name"`
	Region    string `json:"region"`
	Partition string `json:"partition"`
	// AccountID is empty when it is resolved at deploy time.
	AccountID string `json:"accountId,omitempty"`
	Version   string `json:"version,omitempty"`
}

// Variable is an input of the generated code that names are built from:
// a Terraform variable, a CloudFormation parameter. MaxLength keeps every
// name built from it within IAM's limits.
type Variable struct {
	Ref         Ref    `json:"ref"`
	Default     string `json:"default"`
	Pattern     string `json:"pattern"`
	MaxLength   int    `json:"maxLength"`
	Description string `json:"description"`
	// SharedWith are the other variables of the role name that sets
	// MaxLength: the characters that name has to spare are split evenly
	// between them and this one.
	SharedWith []Ref `json:"sharedWith,omitempty"`
}

// Tag is one resource tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// RoleKind tells node roles from pod roles.
type RoleKind string

// Role kinds.
const (
	KindNode RoleKind = "node"
	KindPod  RoleKind = "pod"
)

// Role is one IAM role and everything attached to it.
type Role struct {
	Kind RoleKind `json:"kind"`
	// ID is the role's stable logical name in snake case
	// (namespace__service_account, or "node"); PascalID the same for
	// formats that allow only letters and digits. Both depend only on the
	// role's own namespace and ServiceAccount.
	ID             string `json:"id"`
	PascalID       string `json:"pascalId"`
	Namespace      string `json:"namespace,omitempty"`
	ServiceAccount string `json:"serviceAccount,omitempty"`
	// Mechanism is pod-identity, irsa or both; empty for the node role.
	Mechanism string `json:"mechanism,omitempty"`
	// AddOn names the EKS add-on whose ServiceAccount the role is for, when
	// eksiam generated it for one ("vpc-cni" for the CNI role).
	AddOn string `json:"addOn,omitempty"`
	// Trust is scoped or account for Pod Identity roles.
	Trust string `json:"trust,omitempty"`
	// Name is built from the naming template. Shortened names and explicit
	// roleNames are literal.
	Name      Expr `json:"name"`
	Shortened bool `json:"shortened,omitempty"`
	// Explicit is set when the spec gave roleName.
	Explicit            bool      `json:"explicit,omitempty"`
	Description         string    `json:"description"`
	Path                string    `json:"path"`
	AssumeRolePolicy    Document  `json:"assumeRolePolicy"`
	MaxSessionDuration  int       `json:"maxSessionDuration"`
	PermissionsBoundary Expr      `json:"permissionsBoundary,omitempty"`
	ManagedPolicyARNs   []Expr    `json:"managedPolicyArns,omitempty"`
	InlinePolicies      []*Policy `json:"inlinePolicies,omitempty"`
	// CustomerPolicies hold the statements that did not fit in the role's
	// inline policies (SPEC §2), named <role name>-<n>.
	CustomerPolicies []*Policy    `json:"customerPolicies,omitempty"`
	Tags             []Tag        `json:"tags,omitempty"`
	InstanceProfile  bool         `json:"instanceProfile,omitempty"`
	Association      *Association `json:"association,omitempty"`
	// Node describes a node role; nil for pod roles.
	Node *Node `json:"node,omitempty"`
	// Charts are the Helm charts of the role's presets that create its
	// ServiceAccount, in the spec's order (one, in a valid kubernetes
	// output).
	Charts []*Chart `json:"charts,omitempty"`
	// CreatedBy names what creates the ServiceAccount of a preset's add-on
	// that has no chart here (an EKS add-on), for the kubernetes output.
	CreatedBy string     `json:"createdBy,omitempty"`
	Pos       schema.Pos `json:"-"`
}

// Node is what a node role is for: its kind, the nodes' OS, the managed
// node groups that use it, and the EKS access entry it gets.
type Node struct {
	// Name is the spec's name of the role ("default" for the nodeRole
	// shorthand, which Shorthand marks).
	Name      string `json:"name"`
	Shorthand bool   `json:"shorthand,omitempty"`
	// Kind is ec2, auto-mode or hybrid; OS linux or windows for ec2;
	// Credentials ssm or iam-roles-anywhere for hybrid.
	Kind        string `json:"kind"`
	OS          string `json:"os,omitempty"`
	Credentials string `json:"credentials,omitempty"`
	// NodeGroups are the eksctl managed node groups that carry the role's
	// policies (EC2 roles).
	NodeGroups []string `json:"nodeGroups,omitempty"`
	// AccessEntry is nil when the role gets none: EKS makes it (managed
	// node groups, the Auto Mode default role), or the spec says so.
	AccessEntry *AccessEntry `json:"accessEntry,omitempty"`
}

// Chart is a Helm chart that creates a ServiceAccount, with the values
// keys (dotted paths) for creating, naming and annotating it.
type Chart struct {
	Name           string `json:"name"`
	Repository     string `json:"repository"`
	CreateKey      string `json:"createKey"`
	NameKey        string `json:"nameKey"`
	AnnotationsKey string `json:"annotationsKey"`
	// Values are further values (dotted keys) the chart needs when the
	// role gives the credentials.
	Values map[string]any `json:"values,omitempty"`
}

// AccessEntry is an EKS access entry for a node role's principal.
type AccessEntry struct {
	// Type is EC2_LINUX, EC2_WINDOWS, EC2 or HYBRID_LINUX.
	Type string `json:"type"`
	// PolicyARNs are EKS access policies associated with the entry,
	// cluster-wide (AmazonEKSAutoNodePolicy for Auto Mode node classes).
	PolicyARNs []Expr `json:"policyArns,omitempty"`
}

// Policy is a named permission policy of a role.
type Policy struct {
	// Name is eksiam-<purpose> for inline policies, <role name>-<n> for
	// customer-managed ones.
	Name Expr `json:"name"`
	// Purpose is the short name that logical names derive from: "policy",
	// "worker-node", "cni-ipv6", "target-role", or "1", "2", ... for
	// customer-managed policies.
	Purpose  string   `json:"purpose"`
	Document Document `json:"document"`
}

// Document is an IAM policy document.
type Document struct {
	Statements []Statement `json:"statements"`
}

// Statement is one IAM policy statement. Sets (actions, resources,
// condition values) are sorted and de-duplicated.
type Statement struct {
	Sid          string      `json:"sid,omitempty"`
	Effect       string      `json:"effect"`
	Principals   []Principal `json:"principals,omitempty"`
	Actions      []string    `json:"actions,omitempty"`
	NotActions   []string    `json:"notActions,omitempty"`
	Resources    []Expr      `json:"resources,omitempty"`
	NotResources []Expr      `json:"notResources,omitempty"`
	Conditions   []Condition `json:"conditions,omitempty"`
	Pos          schema.Pos  `json:"-"`
	// Preset names the built-in preset the statement comes from, if any,
	// or is OwnDocument for eksiam's own documents.
	Preset string `json:"-"`
}

// Principal is a trust policy principal.
type Principal struct {
	Type        string `json:"type"` // Service, Federated or AWS
	Identifiers []Expr `json:"identifiers"`
}

// Condition is one operator and key of a statement's condition block.
type Condition struct {
	Operator string `json:"operator"`
	Key      Expr   `json:"key"`
	Values   []Expr `json:"values"`
}

// Association is an EKS Pod Identity association for a pod role.
type Association struct {
	Namespace      string `json:"namespace"`
	ServiceAccount string `json:"serviceAccount"`
	TargetRoleARN  Expr   `json:"targetRoleArn,omitempty"`
	SessionTags    bool   `json:"sessionTags"`
	// SessionPolicy is nil when the spec sets none.
	SessionPolicy *Document  `json:"sessionPolicy,omitempty"`
	Tags          []Tag      `json:"tags,omitempty"`
	Pos           schema.Pos `json:"-"`
}

// IRSA describes the cluster's OIDC provider for IRSA trusts.
type IRSA struct {
	// Lookup is set when the spec leaves irsa.oidcProviderArn empty: each
	// format finds the provider at deploy time.
	Lookup bool `json:"lookup,omitempty"`
	// ProviderARN and Issuer come from irsa.oidcProviderArn, or are the
	// references RefOIDCProviderARN and RefOIDCIssuer under Lookup.
	ProviderARN Expr `json:"providerArn"`
	Issuer      Expr `json:"issuer"`
}

// Associations returns the pod roles that have an association, in order.
func (m *Model) Associations() []*Role {
	var out []*Role
	for _, r := range m.PodRoles {
		if r.Association != nil {
			out = append(out, r)
		}
	}
	return out
}

// Roles returns the node roles followed by the pod roles.
func (m *Model) Roles() []*Role {
	out := make([]*Role, 0, len(m.PodRoles)+len(m.NodeRoles))
	out = append(out, m.NodeRoles...)
	return append(out, m.PodRoles...)
}

// NodeGroups are the managed node groups of every node role, in order.
func (m *Model) NodeGroups() []string {
	var out []string
	for _, r := range m.NodeRoles {
		out = append(out, r.Node.NodeGroups...)
	}
	return out
}

// AccessEntries returns the node roles that get an access entry.
func (m *Model) AccessEntries() []*Role {
	var out []*Role
	for _, r := range m.NodeRoles {
		if r.Node.AccessEntry != nil {
			out = append(out, r)
		}
	}
	return out
}

// AutoModeNodeRole is the cluster's own Auto Mode node role: the Auto
// Mode node role without an access entry, which EKS enrolls (validation
// allows one); nil when there is none.
func (m *Model) AutoModeNodeRole() *Role {
	for _, r := range m.NodeRoles {
		if r.Node.Kind == schema.KindAutoMode && r.Node.AccessEntry == nil {
			return r
		}
	}
	return nil
}

// PassedNodeRole is the node role that a preset option defaulting to "the
// spec's node role" (karpenter's nodeRoleArns) stands for: the only EC2
// node role, else the EC2 node role named karpenter, else the one named
// default; nil when there is none of those.
func (m *Model) PassedNodeRole() *Role {
	var ec2 []*Role
	for _, r := range m.NodeRoles {
		if r.Node.Kind == schema.KindEC2 {
			ec2 = append(ec2, r)
		}
	}
	if len(ec2) == 1 {
		return ec2[0]
	}
	for _, name := range []string{"karpenter", schema.DefaultNodeRole} {
		for _, r := range ec2 {
			if r.Node.Name == name {
				return r
			}
		}
	}
	return nil
}

// Value returns the spec's value for a reference: what eksctl writes, and
// what size checks count. The account is "" when the spec sets none.
func (m *Model) Value(r Ref) string {
	switch r {
	case RefPartition:
		return m.Cluster.Partition
	case RefRegion:
		return m.Cluster.Region
	case RefAccount:
		return m.Cluster.AccountID
	case RefCluster:
		return m.Cluster.Name
	case RefProject:
		return m.Project
	case RefEnvironment:
		return m.Environment
	case RefNodeRoleARN:
		return m.NodeRoleARN(m.Value)
	}
	return ""
}

// Resolver resolves references as Value does, with stand-ins for what the
// spec may leave to deploy time: the account, and the cluster's OIDC
// issuer (and so its provider's ARN), for tests and explain; the node
// role's ARN is built with them.
func (m *Model) Resolver(account, issuer string) func(Ref) string {
	var value func(Ref) string
	value = func(r Ref) string {
		switch r {
		case RefAccount:
			return account
		case RefOIDCIssuer:
			return issuer
		case RefOIDCProviderARN:
			return "arn:" + m.Cluster.Partition + ":iam::" + account + ":oidc-provider/" + issuer
		case RefNodeRoleARN:
			return m.NodeRoleARN(value)
		}
		return m.Value(r)
	}
	return value
}

// NodeRoleARN is the ARN of PassedNodeRole, with value giving the
// references in it (partition, account and those of the role's name), or
// "" when there is no such role.
func (m *Model) NodeRoleARN(value func(Ref) string) string {
	r := m.PassedNodeRole()
	if r == nil {
		return ""
	}
	return r.ARN(value)
}

// ARN is the role's ARN, with value giving the references in it.
func (r *Role) ARN(value func(Ref) string) string {
	return "arn:" + value(RefPartition) + ":iam::" + value(RefAccount) + ":role" + r.Path + r.Name.Resolve(value)
}

// Uses reports whether any value in the model refers to r.
func (m *Model) Uses(r Ref) bool {
	found := false
	m.walkExprs(func(e Expr) {
		if !found && e.HasRef(r) {
			found = true
		}
	})
	return found
}

// walkDocument calls f for every expression of a policy document.
func walkDocument(d *Document, f func(Expr)) {
	for _, s := range d.Statements {
		for _, p := range s.Principals {
			for _, e := range p.Identifiers {
				f(e)
			}
		}
		for _, e := range s.Resources {
			f(e)
		}
		for _, e := range s.NotResources {
			f(e)
		}
		for _, c := range s.Conditions {
			f(c.Key)
			for _, e := range c.Values {
				f(e)
			}
		}
	}
}

// WalkPermissions calls f for every expression of what the role grants and
// how it is bound, its trust policy aside: managed policy ARNs, its own
// policies, the boundary and the association.
func (r *Role) WalkPermissions(f func(Expr)) {
	f(r.PermissionsBoundary)
	for _, e := range r.ManagedPolicyARNs {
		f(e)
	}
	for _, p := range r.InlinePolicies {
		walkDocument(&p.Document, f)
	}
	for _, p := range r.CustomerPolicies {
		walkDocument(&p.Document, f)
	}
	if a := r.Association; a != nil {
		f(a.TargetRoleARN)
		if a.SessionPolicy != nil {
			walkDocument(a.SessionPolicy, f)
		}
	}
}

// walkExprs calls f for every expression of the model.
func (m *Model) walkExprs(f func(Expr)) {
	for _, r := range m.Roles() {
		f(r.Name)
		walkDocument(&r.AssumeRolePolicy, f)
		for _, p := range r.CustomerPolicies {
			f(p.Name)
		}
		for _, p := range r.InlinePolicies {
			f(p.Name)
		}
		r.WalkPermissions(f)
	}
}

// Who names the role in messages: "the node role" (the shorthand's),
// "node role NAME" or "ServiceAccount namespace/name".
func (r *Role) Who() string {
	if r.Kind == KindNode {
		if r.Node.Shorthand {
			return "the node role"
		}
		return "node role " + r.Node.Name
	}
	return "ServiceAccount " + r.Namespace + "/" + r.ServiceAccount
}

// PosOf is where a role came from in the spec, or the cluster mapping when
// the spec did not write it (the node and CNI roles without a nodeRole
// mapping).
func (m *Model) PosOf(r *Role) schema.Pos {
	if r.Pos.IsValid() {
		return r.Pos
	}
	return m.ClusterPos
}

// Summary says in one line what a role is for and whom it trusts, for
// comments beside it in the generated code.
func (r *Role) Summary() string {
	if r.Kind == KindNode {
		return r.Node.summary()
	}
	s := r.Namespace + "/" + r.ServiceAccount + ": "
	switch r.Mechanism {
	case "irsa":
		return s + "IRSA, trusted by the cluster's OIDC provider for this ServiceAccount only."
	case "both":
		return s + "EKS Pod Identity and IRSA, for moving the workload from IRSA to Pod Identity."
	}
	if r.Trust == "account" {
		return s + "EKS Pod Identity, trusted by any association in the account."
	}
	return s + "EKS Pod Identity, trusted for this cluster, namespace and ServiceAccount only."
}

// summary says what nodes the role is for.
func (n *Node) summary() string {
	if n.Shorthand && n.Kind == schema.KindEC2 {
		return "EKS node role."
	}
	s := "EKS node role " + n.Name + ", for "
	switch {
	case n.Kind == schema.KindAutoMode:
		return s + "EKS Auto Mode nodes."
	case n.Kind == schema.KindHybrid && n.Credentials == schema.CredentialsSSM:
		return s + "hybrid nodes registered by SSM hybrid activations."
	case n.Kind == schema.KindHybrid:
		return s + "hybrid nodes with IAM Roles Anywhere certificates."
	case n.OS == schema.OSWindows:
		return s + "EC2 Windows nodes."
	}
	return s + "EC2 Linux nodes."
}
