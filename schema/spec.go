// Package schema reads an eksiam spec: the Go types that mirror the YAML,
// each value carrying the position it was written at; the loader that walks
// the YAML node tree, allows only known keys and collects every error; the
// defaults; the validation; and the diagnostics that report all of it as
// file:line:col messages.
package schema

// Str is a string from the spec with its position. Set is false when the
// key was absent and Value holds the default.
type Str struct {
	Value string
	Pos   Pos
	Set   bool
}

// Bool is a boolean from the spec with its position.
type Bool struct {
	Value bool
	Pos   Pos
	Set   bool
}

// Int is an integer from the spec with its position.
type Int struct {
	Value int
	Pos   Pos
	Set   bool
}

// KeyValue is one entry of a string map (tags), in the order written.
type KeyValue struct {
	Key   Str
	Value Str
}

// Spec is one spec file as the user wrote it, with defaults applied.
type Spec struct {
	// File is the spec's path as given, used in diagnostics.
	File        string
	Version     Int
	Project     Str
	Environment Str
	Cluster     Cluster
	Tags        []KeyValue
	Naming      Naming
	// NodeRole is the nodeRole shorthand: one node role named "default".
	// Its Enabled is false when the spec lists nodeRoles instead.
	NodeRole NodeRole
	// NodeRoles are the spec's nodeRoles, as written; NodeRolesPos is
	// where the key was, when it was.
	NodeRoles       []NodeRole
	NodeRolesPos    Pos
	ServiceAccounts []ServiceAccount
	// IRSA is nil when the spec has no irsa mapping.
	IRSA *IRSA
	// Formats are the output formats the spec is generated to, in the
	// order of FormatNames; DefaultFormats when the spec does not say.
	Formats []string
	// FormatsPos is where formats was written, when it was.
	FormatsPos Pos
	// CloudFormation holds the CloudFormation output's settings.
	CloudFormation CloudFormationSettings
}

// CloudFormationSettings are the spec's cloudformation mapping.
type CloudFormationSettings struct {
	Pos Pos
	// NestedStacks lays the pod roles out in nested stacks, whatever the
	// spec's size: a choice made once, since switching moves every role.
	NestedStacks Bool
}

// FormatNames are the output formats, in the order their folders are
// written.
var FormatNames = []string{"terraform", "cloudformation", "eksctl", "kubernetes"}

// DefaultFormats are the formats of a spec that names none: all but
// kubernetes, so that users of the first three see no new folder.
var DefaultFormats = FormatNames[:3]

// HasFormat reports whether the spec is generated to a format.
func (s *Spec) HasFormat(f string) bool {
	for _, g := range s.Formats {
		if g == f {
			return true
		}
	}
	return false
}

// Cluster describes the EKS cluster the roles are for.
type Cluster struct {
	// Pos is where the cluster key was written, when it was.
	Pos       Pos
	Name      Str
	Region    Str
	Partition Str
	AccountID Str
	Version   Str
}

// Naming holds the name templates for roles.
type Naming struct {
	NodeRole Str
	PodRole  Str
}

// Node role policy choices.
const (
	PolicyManaged     = "managed"
	PolicyRestrictive = "restrictive"

	ECRPullOnly = "pull-only"
	ECRReadOnly = "read-only"

	CNISeparateRole = "separate-role"
	CNINodeRole     = "node-role"
	CNINone         = "none"

	IPv4 = "ipv4"
	IPv6 = "ipv6"
)

// Node role kinds, operating systems, hybrid node credentials and access
// entry choices.
const (
	KindEC2      = "ec2"
	KindAutoMode = "auto-mode"
	KindHybrid   = "hybrid"

	OSLinux   = "linux"
	OSWindows = "windows"

	CredentialsSSM           = "ssm"
	CredentialsRolesAnywhere = "iam-roles-anywhere"

	AccessEntryAuto = "auto"

	// DefaultNodeRole is the name of the nodeRole shorthand's role.
	DefaultNodeRole = "default"

	RunsOnLinux   = "linux"
	RunsOnWindows = "windows"
	RunsOnFargate = "fargate"
)

// NodeRole configures one node role: the nodeRole shorthand, or an entry
// of nodeRoles.
type NodeRole struct {
	Pos Pos
	// What is how diagnostics name it: nodeRole, or nodeRoles[i].
	What string
	// Name is "default" for the shorthand.
	Name    Str
	Enabled Bool
	// Kind is ec2, auto-mode or hybrid; OS linux or windows (ec2 only).
	Kind   Str
	OS     Str
	Hybrid Hybrid
	// AccessEntry is auto, true or false.
	AccessEntry          Str
	Policy               Str
	ECR                  Str
	CNI                  Str
	IPFamily             Str
	SSM                  Bool
	InstanceProfile      Bool
	AdditionalPolicyARNs []Str
	PermissionsBoundary  Str
	Path                 Str
	NodeGroups           []Str
}

// Hybrid is a hybrid node role's credentials: SSM hybrid activations or
// IAM Roles Anywhere with its trust anchor.
type Hybrid struct {
	Pos            Pos
	Credentials    Str
	TrustAnchorARN Str
}

// Nodes are the spec's node roles: the nodeRole shorthand when enabled,
// else its enabled nodeRoles.
func (s *Spec) Nodes() []*NodeRole {
	if s.NodeRole.Enabled.Value {
		return []*NodeRole{&s.NodeRole}
	}
	var out []*NodeRole
	for i := range s.NodeRoles {
		if s.NodeRoles[i].Enabled.Value {
			out = append(out, &s.NodeRoles[i])
		}
	}
	return out
}

// CNI is how the VPC CNI gets its permissions: the shorthand's cni, or,
// with nodeRoles, separate-role when any EC2 node role asks for it (the
// CNI role is one per cluster), else none.
func (s *Spec) CNI() string {
	if len(s.NodeRoles) == 0 {
		return s.NodeRole.CNI.Value
	}
	for _, r := range s.Nodes() {
		if r.Kind.Value == KindEC2 && r.CNI.Value == CNISeparateRole {
			return CNISeparateRole
		}
	}
	return CNINone
}

// IPFamily is the cluster's IP family: the shorthand's, or that of the
// EC2 node roles (validation keeps them equal).
func (s *Spec) IPFamily() string {
	for _, r := range s.Nodes() {
		if r.Kind.Value == KindEC2 && r != &s.NodeRole {
			return r.IPFamily.Value
		}
	}
	if len(s.NodeRoles) > 0 {
		return IPv4
	}
	return s.NodeRole.IPFamily.Value
}

// ServiceAccount mechanisms and trust modes.
const (
	MechanismPodIdentity = "pod-identity"
	MechanismIRSA        = "irsa"
	MechanismBoth        = "both"

	TrustScoped  = "scoped"
	TrustAccount = "account"
)

// ServiceAccount is one Kubernetes ServiceAccount that gets a role.
type ServiceAccount struct {
	Pos                 Pos
	Namespace           Str
	Name                Str
	Mechanism           Str
	RoleName            Str
	Presets             []Str
	PresetOptions       []PresetOption
	ManagedPolicyARNs   []Str
	Policy              []Statement
	MaxSessionDuration  Int
	PermissionsBoundary Str
	Tags                []KeyValue
	Trust               Str
	SessionTags         Bool
	TargetRoleARN       Str
	SessionPolicy       []Statement
	// SessionPolicyPos is where sessionPolicy was written, when it was.
	SessionPolicyPos Pos
	// RunsOn is where the pods run: linux (default), windows or fargate.
	RunsOn Str
}

// UsesPodIdentity reports whether the ServiceAccount gets a Pod Identity
// association.
func (sa *ServiceAccount) UsesPodIdentity() bool {
	return sa.Mechanism.Value == MechanismPodIdentity || sa.Mechanism.Value == MechanismBoth
}

// UsesIRSA reports whether the ServiceAccount's role trusts the cluster's
// OIDC provider.
func (sa *ServiceAccount) UsesIRSA() bool {
	return sa.Mechanism.Value == MechanismIRSA || sa.Mechanism.Value == MechanismBoth
}

// PresetOption is one presetOptions entry: a name and its values.
type PresetOption struct {
	Name   Str
	Values []Str
}

// Statement is one IAM policy statement as written.
type Statement struct {
	Pos          Pos
	Sid          Str
	Effect       Str
	Actions      []Str
	NotActions   []Str
	Resources    []Str
	NotResources []Str
	Conditions   []Condition
}

// Condition is one operator/key pair of a statement's condition, with its
// values, in the order written.
type Condition struct {
	Operator Str
	Key      Str
	Values   []Str
}

// IRSA configures IAM Roles for Service Accounts.
type IRSA struct {
	Pos             Pos
	OIDCProviderARN Str
}
