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
	File            string
	Version         Int
	Project         Str
	Environment     Str
	Cluster         Cluster
	Tags            []KeyValue
	Naming          Naming
	NodeRole        NodeRole
	ServiceAccounts []ServiceAccount
	// IRSA is nil when the spec has no irsa mapping.
	IRSA *IRSA
	// Formats are the output formats the spec is generated to, in the
	// order of FormatNames; all of them when the spec does not say.
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
var FormatNames = []string{"terraform", "cloudformation", "eksctl"}

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

// NodeRole configures the role of the cluster's EC2 nodes.
type NodeRole struct {
	Pos                  Pos
	Enabled              Bool
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
