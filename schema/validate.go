package schema

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/eksiam/eksiam/templates"
)

// Defaults of SPEC §1.
const (
	DefaultNodeRoleName = "{project}-{environment}-node"
	// DefaultNodeRolesName names the roles of nodeRoles, which are several.
	DefaultNodeRolesName      = "{project}-{environment}-{nodeRole}-node"
	DefaultPodRoleName        = "{project}-{environment}-{namespace}-{serviceAccount}"
	DefaultMaxSessionDuration = 3600
)

// def gives a value the spec left out its default.
func def(v *Str, d string) {
	if !v.Set {
		v.Value = d
	}
}

func applyDefaults(s *Spec) {
	if len(s.Formats) == 0 {
		s.Formats = slices.Clone(DefaultFormats)
	}
	slices.SortFunc(s.Formats, func(a, b string) int { return slices.Index(FormatNames, a) - slices.Index(FormatNames, b) })
	if !s.Version.Set {
		s.Version.Value = 1
	}
	if !s.Cluster.Name.Set && s.Project.Value != "" && s.Environment.Value != "" {
		s.Cluster.Name.Value = s.Project.Value + "-" + s.Environment.Value
	}
	if !s.Cluster.Partition.Set {
		s.Cluster.Partition.Value = PartitionOf(s.Cluster.Region.Value)
	}
	if len(s.NodeRoles) > 0 {
		def(&s.Naming.NodeRole, DefaultNodeRolesName)
	} else {
		def(&s.Naming.NodeRole, DefaultNodeRoleName)
	}
	def(&s.Naming.PodRole, DefaultPodRoleName)
	r := &s.NodeRole
	r.Name = Str{Value: DefaultNodeRole, Pos: r.Pos}
	if r.What == "" {
		r.What = "nodeRole"
	}
	if !r.Enabled.Set {
		r.Enabled.Value = len(s.NodeRoles) == 0
	}
	nodeRoleDefaults(r)
	if r.NodeGroups == nil {
		r.NodeGroups = []Str{{Value: "default"}}
	}
	for i := range s.NodeRoles {
		r := &s.NodeRoles[i]
		if !r.Enabled.Set {
			r.Enabled.Value = true
		}
		nodeRoleDefaults(r)
		if r.NodeGroups == nil && r.Kind.Value == KindEC2 && r.Name.Value != "" {
			r.NodeGroups = []Str{{Value: r.Name.Value}}
		}
	}
	for i := range s.ServiceAccounts {
		sa := &s.ServiceAccounts[i]
		def(&sa.Mechanism, MechanismPodIdentity)
		if sa.UsesPodIdentity() {
			def(&sa.Trust, TrustScoped)
			if !sa.SessionTags.Set {
				sa.SessionTags.Value = true
			}
		}
		def(&sa.RunsOn, RunsOnLinux)
		if !sa.MaxSessionDuration.Set {
			sa.MaxSessionDuration.Value = DefaultMaxSessionDuration
		}
		for j := range sa.Policy {
			def(&sa.Policy[j].Effect, "Allow")
		}
		for j := range sa.SessionPolicy {
			def(&sa.SessionPolicy[j].Effect, "Allow")
		}
	}
}

// nodeRoleDefaults fills in what a node role leaves out: an EC2 role
// (the default kind) gets today's choices; the other kinds have no managed
// worker policy, CNI permissions, instance profile or node groups.
func nodeRoleDefaults(r *NodeRole) {
	def(&r.Kind, KindEC2)
	def(&r.AccessEntry, AccessEntryAuto)
	def(&r.ECR, ECRPullOnly)
	def(&r.Path, "/")
	if r.Kind.Value == KindEC2 {
		def(&r.OS, OSLinux)
		def(&r.Policy, PolicyManaged)
		def(&r.CNI, CNISeparateRole)
		def(&r.IPFamily, IPv4)
		if !r.InstanceProfile.Set {
			r.InstanceProfile.Value = true
		}
		return
	}
	def(&r.CNI, CNINone)
	def(&r.IPFamily, IPv4)
	if r.NodeGroups == nil {
		r.NodeGroups = []Str{}
	}
}

// commercialRegions are the regions of the aws partition that a spec may
// name without setting cluster.partition.
var commercialRegions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
	"ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1",
	"eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
	"il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2",
	"us-west-1", "us-west-2",
}

// unsupportedPartition names the partition of a region in one of AWS's
// other partitions, or returns "".
func unsupportedPartition(region string) string {
	for _, p := range []struct{ prefix, partition string }{
		{"us-isob-", "aws-iso-b"}, {"us-isof-", "aws-iso-f"}, {"us-iso-", "aws-iso"}, {"eu-isoe-", "aws-iso-e"}, {"eusc-", "aws-eusc"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			return p.partition
		}
	}
	return ""
}

// PartitionOf returns the partition a region belongs to, or "" when the
// region is not one eksiam knows.
func PartitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case slices.Contains(commercialRegions, region):
		return "aws"
	}
	return ""
}

var (
	nameRE        = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	clusterNameRE = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]*$`)
	regionRE      = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]+$`)
	accountRE     = regexp.MustCompile(`^[0-9]{12}$`)
	k8sVersionRE  = regexp.MustCompile(`^1\.[0-9]+$`)
	dnsLabelRE    = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	roleNameRE    = regexp.MustCompile(`^[\w+=,.@-]+$`)
	iamPathRE     = regexp.MustCompile(`^/([\x21-\x7E]*/)?$`)
	nodeGroupRE   = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]*$`)
	actionRE      = regexp.MustCompile(`^([a-z0-9-]+:[A-Za-z0-9*?]+|\*)$`)
	sidRE         = regexp.MustCompile(`^[A-Za-z0-9]*$`)
	arnRE         = regexp.MustCompile(`^arn:([^:]+):([^:]*):([^:]*):([^:]*):(.+)$`)
	// tagTextRE is the characters AWS allows in tags; tagText counts them,
	// since a bounded repeat such as {1,128} of a Unicode class compiles to
	// a program of megabytes, built at every start of the program.
	tagTextRE = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

// Name-template placeholders.
var (
	nodeRolePlaceholders = []string{"project", "environment", "region", "cluster", "nodeRole"}
	podRolePlaceholders  = []string{"project", "environment", "region", "cluster", "namespace", "serviceAccount"}
	templatePartRE       = regexp.MustCompile(`\{([^{}]*)\}`)
)

// conditionOperators are IAM's condition operators, without the IfExists
// suffix and the ForAllValues:/ForAnyValue: prefixes.
var conditionOperators = []string{
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
	"StringLike", "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan",
	"NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals",
	"DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
	"Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals",
	"ArnNotLike", "Null",
}

type validator struct {
	s     *Spec
	diags *Diagnostics
}

func (v *validator) errorf(pos Pos, format string, args ...any) {
	v.diags.Errorf(pos, format, args...)
}

// missing reports a required key that is absent; the position is the
// mapping's when known, else the top of the file.
func (v *validator) missing(at Pos, what, hint string) {
	if !at.IsValid() {
		at = Pos{File: v.s.File, Line: 1, Col: 1}
	}
	v.errorf(at, "%s is required%s", what, hint)
}

func validate(s *Spec, diags *Diagnostics) {
	v := &validator{s: s, diags: diags}
	top := Pos{File: s.File, Line: 1, Col: 1}
	if s.Version.Set && s.Version.Value != 1 {
		v.errorf(s.Version.Pos, "version must be 1, the only spec version this eksiam reads")
	}
	v.projectName("project", s.Project, top)
	v.projectName("environment", s.Environment, top)
	v.cluster(&s.Cluster, top)
	v.tags("tags", s.Tags)
	if len(s.Tags) > maxTags {
		v.errorf(s.Tags[maxTags].Key.Pos, "tags: %d tags; AWS allows %d on a role", len(s.Tags), maxTags)
	}
	v.template("naming.nodeRole", s.Naming.NodeRole, nodeRolePlaceholders)
	v.template("naming.podRole", s.Naming.PodRole, podRolePlaceholders)
	v.nodeRoles()
	v.serviceAccounts()
	if s.IRSA != nil && s.IRSA.OIDCProviderARN.Value != "" {
		arn := s.IRSA.OIDCProviderARN
		if v.arn("irsa.oidcProviderArn", arn) && !strings.Contains(arn.Value, ":oidc-provider/") {
			v.errorf(arn.Pos, "irsa.oidcProviderArn must be an OIDC provider ARN (arn:${partition}:iam::ACCOUNT:oidc-provider/oidc.eks.REGION.amazonaws.com/id/ID)")
		}
	}
}

// NameError says what is wrong with a project or environment name, or ""
// when it is valid.
func NameError(what, name string) string {
	switch {
	case name == "":
		return what + " must not be empty"
	case !nameRE.MatchString(name):
		return fmt.Sprintf("%s %q must be lowercase letters, digits and hyphens, starting with a letter or digit", what, name)
	case len(name) > 32:
		return fmt.Sprintf("%s %q is %d characters; the limit is 32", what, name, len(name))
	}
	return ""
}

// RegionError says what is wrong with a region name, or "" when it looks
// like one.
func RegionError(region string) string {
	if !regionRE.MatchString(region) {
		return fmt.Sprintf("%q is not an AWS region name (for example eu-west-1)", region)
	}
	return ""
}

func (v *validator) projectName(what string, s Str, top Pos) {
	switch {
	case !s.Set || s.Value == "":
		if !s.Pos.IsValid() {
			v.missing(top, what, "")
		} else {
			v.errorf(s.Pos, "%s must not be empty", what)
		}
	case !nameRE.MatchString(s.Value):
		v.errorf(s.Pos, "%s %q must be lowercase letters, digits and hyphens, starting with a letter or digit", what, s.Value)
	case len(s.Value) > 32:
		v.errorf(s.Pos, "%s %q is %d characters; the limit is 32", what, s.Value, len(s.Value))
	}
}

func (v *validator) cluster(c *Cluster, top Pos) {
	if c.Name.Set && (!clusterNameRE.MatchString(c.Name.Value) || len(c.Name.Value) > 100) {
		v.errorf(c.Name.Pos, "cluster.name %q is not a valid EKS cluster name (letters, digits, hyphens and underscores, starting with a letter or digit, at most 100)", c.Name.Value)
	}
	switch {
	case !c.Region.Set:
		if c.Pos.IsValid() {
			top = c.Pos
		}
		v.missing(top, "cluster.region", " (for example eu-west-1)")
		return
	case !regionRE.MatchString(c.Region.Value):
		v.errorf(c.Region.Pos, "cluster.region %q is not an AWS region name (for example eu-west-1)", c.Region.Value)
		return
	}
	if other := unsupportedPartition(c.Region.Value); other != "" {
		v.errorf(c.Region.Pos, "cluster.region %s is in the %s partition, which eksiam does not support (it supports aws, aws-cn and aws-us-gov)", c.Region.Value, other)
		return
	}
	implied := PartitionOf(c.Region.Value)
	switch {
	case !c.Partition.Set && c.Partition.Value == "":
		v.errorf(c.Region.Pos, "cluster.region %q is not a region eksiam knows: set cluster.partition (aws, aws-cn or aws-us-gov)", c.Region.Value)
	case c.Partition.Set && implied != "" && implied != c.Partition.Value:
		v.errorf(c.Partition.Pos, "cluster.partition %s does not match region %s, which is in %s", c.Partition.Value, c.Region.Value, implied)
	}
	if c.AccountID.Set && !accountRE.MatchString(c.AccountID.Value) {
		v.errorf(c.AccountID.Pos, "cluster.accountId %q must be 12 digits", c.AccountID.Value)
	}
	if c.Version.Set && !k8sVersionRE.MatchString(c.Version.Value) {
		v.errorf(c.Version.Pos, "cluster.version %q must be a Kubernetes minor version such as \"1.31\"", c.Version.Value)
	}
}

func (v *validator) tags(what string, tags []KeyValue) {
	for _, t := range tags {
		switch {
		case !tagText(t.Key.Value, 1, 128):
			v.errorf(t.Key.Pos, "%s: key %q must be 1 to 128 letters, digits, spaces and _.:/=+-@", what, t.Key.Value)
		case strings.HasPrefix(strings.ToLower(t.Key.Value), "aws:"):
			v.errorf(t.Key.Pos, "%s: key %q uses the prefix aws:, which AWS reserves", what, t.Key.Value)
		}
		if hasPlaceholder(t.Value.Value) {
			v.errorf(t.Value.Pos, "%s.%s: placeholders are not allowed in tags; write the value itself", what, t.Key.Value)
		} else if !tagText(t.Value.Value, 0, 256) {
			v.errorf(t.Value.Pos, "%s.%s: value must be at most 256 letters, digits, spaces and _.:/=+-@", what, t.Key.Value)
		}
	}
}

// tagText reports whether s is lo to hi characters AWS allows in tags.
func tagText(s string, lo, hi int) bool {
	n := utf8.RuneCountInString(s)
	return n >= lo && n <= hi && tagTextRE.MatchString(s)
}

// template checks a naming template: known {placeholders}, and literal text
// that IAM accepts in a role name.
func (v *validator) template(what string, t Str, allowed []string) {
	for _, m := range templatePartRE.FindAllStringSubmatch(t.Value, -1) {
		if !slices.Contains(allowed, m[1]) {
			v.errorf(t.Pos, "%s: unknown placeholder {%s}%s; it may use {%s}", what, m[1], suggest(m[1], allowed), strings.Join(allowed, "} {"))
		}
	}
	literal := templatePartRE.ReplaceAllString(t.Value, "")
	if t.Value == "" {
		v.errorf(t.Pos, "%s must not be empty", what)
	} else if literal != "" && !roleNameRE.MatchString(literal) {
		v.errorf(t.Pos, "%s %q has characters IAM does not allow in role names (allowed: letters, digits and +=,.@_-)", what, t.Value)
	}
}

// nodeRoles checks the node roles: the shorthand or the list, not both;
// names; the fields each kind takes; and what must agree between roles.
func (v *validator) nodeRoles() {
	s := v.s
	if s.NodeRolesPos.IsValid() && s.NodeRole.Pos.IsValid() {
		v.errorf(s.NodeRolesPos, "nodeRoles and nodeRole are both set; nodeRole is the shorthand for one role named default: use one of them")
	}
	names := map[string]Pos{}
	groups := map[string]Pos{}
	var family *NodeRole
	for _, r := range s.Nodes() {
		if r != &s.NodeRole {
			switch {
			case !r.Name.Set:
				v.errorf(r.Pos, "%s needs a name", r.What)
			case !nameRE.MatchString(r.Name.Value) || len(r.Name.Value) > 32:
				v.errorf(r.Name.Pos, "%s.name %q must be lowercase letters, digits and hyphens, starting with a letter or digit, at most 32", r.What, r.Name.Value)
			default:
				if prev, ok := names[r.Name.Value]; ok {
					v.errorf(r.Name.Pos, "%s.name %q is used twice (first at %s)", r.What, r.Name.Value, prev)
				}
				names[r.Name.Value] = r.Name.Pos
			}
		}
		v.nodeRole(r)
		for _, g := range r.NodeGroups {
			if prev, ok := groups[g.Value]; ok && g.Pos.IsValid() {
				v.errorf(g.Pos, "%s.nodeGroups: %q is listed twice (first at %s)", r.What, g.Value, prev)
			}
			groups[g.Value] = g.Pos
		}
		if r.Kind.Value == KindEC2 {
			if family != nil && family.IPFamily.Value != r.IPFamily.Value {
				dflt := ""
				if !r.IPFamily.Set {
					dflt = " (the default)"
				}
				v.errorf(firstPos(r.IPFamily.Pos, r.Pos), "%s.ipFamily is %s%s, but %s's is %s; a cluster has one IP family", r.What, r.IPFamily.Value, dflt, family.What, family.IPFamily.Value)
			}
			if family == nil {
				family = r
			}
		}
	}
	var autoDefault *NodeRole
	for _, r := range s.Nodes() {
		if r.Kind.Value != KindAutoMode || r.AccessEntry.Value == "true" {
			continue
		}
		if autoDefault != nil {
			v.errorf(firstPos(r.Kind.Pos, r.Pos), "%s and %s are both Auto Mode node roles without an access entry, but a cluster has one Auto Mode node role of its own; give the other, a custom NodeClass's role, accessEntry: true", autoDefault.What, r.What)
		}
		autoDefault = r
	}
	if len(s.NodeRoles) > 1 && !strings.Contains(s.Naming.NodeRole.Value, "{nodeRole}") {
		v.errorf(firstPos(s.Naming.NodeRole.Pos, s.NodeRolesPos), "naming.nodeRole %q names every node role alike; add {nodeRole}, since the spec has %d node roles", s.Naming.NodeRole.Value, len(s.NodeRoles))
	}
}

func firstPos(ps ...Pos) Pos {
	for _, p := range ps {
		if p.IsValid() {
			return p
		}
	}
	return Pos{}
}

func (v *validator) nodeRole(r *NodeRole) {
	what := r.What
	for i, a := range r.AdditionalPolicyARNs {
		v.policyARN(index(what+".additionalPolicyArns", i), a)
	}
	if r.PermissionsBoundary.Value != "" {
		v.policyARN(what+".permissionsBoundary", r.PermissionsBoundary)
	}
	if !iamPathRE.MatchString(r.Path.Value) || len(r.Path.Value) > 512 {
		v.errorf(r.Path.Pos, "%s.path %q must start and end with / (for example /eks/), at most 512 characters", what, r.Path.Value)
	}
	seen := map[string]Pos{}
	for _, g := range r.NodeGroups {
		if !nodeGroupRE.MatchString(g.Value) || len(g.Value) > 63 {
			v.errorf(firstPos(g.Pos, r.Name.Pos, r.Pos), "%s.nodeGroups: %q is not a valid node group name (a letter, then letters, digits and hyphens, at most 63)", what, g.Value)
		}
		if prev, ok := seen[g.Value]; ok {
			v.errorf(g.Pos, "%s.nodeGroups: %q is listed twice (first at %s)", what, g.Value, prev)
		}
		seen[g.Value] = g.Pos
	}
	kind := r.Kind.Value
	// notFor reports a field set on a kind it does not apply to.
	notFor := func(field string, pos Pos, set bool, why string) {
		if set {
			v.errorf(pos, "%s.%s does not apply to kind %s: %s", what, field, kind, why)
		}
	}
	if kind != KindEC2 {
		notFor("os", r.OS.Pos, r.OS.Set, "only EC2 node roles are for Linux or Windows nodes")
		notFor("policy", r.Policy.Pos, r.Policy.Set, "its policies are fixed by the kind (README, node roles)")
		notFor("cni", r.CNI.Pos, r.CNI.Set, "its nodes do not run the VPC CNI from this role")
		notFor("ipFamily", r.IPFamily.Pos, r.IPFamily.Set, "the IP family belongs to the EC2 node roles' CNI")
		notFor("instanceProfile", r.InstanceProfile.Pos, r.InstanceProfile.Set && r.InstanceProfile.Value, "no instance profile is needed")
		if len(r.NodeGroups) > 0 {
			notFor("nodeGroups", firstPos(r.NodeGroups[0].Pos, r.Pos), true, "managed node groups use EC2 node roles")
		}
	}
	switch {
	case kind == KindAutoMode:
		notFor("ssm", r.SSM.Pos, r.SSM.Set, "Auto Mode nodes allow no SSM access, so AmazonSSMManagedInstanceCore would grant what nothing uses")
	case kind == KindHybrid && r.Hybrid.Credentials.Value == CredentialsSSM:
		notFor("ssm", r.SSM.Pos, r.SSM.Set, "with hybrid.credentials: ssm it always has AmazonSSMManagedInstanceCore")
	case kind == KindHybrid:
		notFor("ssm", r.SSM.Pos, r.SSM.Set, "IAM Roles Anywhere nodes do not register with SSM")
	}
	if kind != KindHybrid {
		notFor("hybrid", r.Hybrid.Pos, r.Hybrid.Pos.IsValid(), "it is the credentials of hybrid nodes")
	}
	if kind == KindHybrid {
		h := r.Hybrid
		switch {
		case !h.Credentials.Set && h.Credentials.Pos.IsValid():
			// an unknown value, reported by the loader
		case !h.Credentials.Set:
			v.errorf(firstPos(h.Pos, r.Kind.Pos, r.Pos), "%s is a hybrid node role and needs hybrid.credentials: ssm or iam-roles-anywhere", what)
		case h.Credentials.Value == CredentialsRolesAnywhere && !h.TrustAnchorARN.Set:
			v.errorf(h.Credentials.Pos, "%s.hybrid.credentials: iam-roles-anywhere needs hybrid.trustAnchorArn, the Roles Anywhere trust anchor the nodes' certificates chain to", what)
		case h.Credentials.Value == CredentialsSSM && h.TrustAnchorARN.Set:
			v.errorf(h.TrustAnchorARN.Pos, "%s.hybrid.trustAnchorArn applies to iam-roles-anywhere credentials, not ssm", what)
		}
		if a := h.TrustAnchorARN; a.Set && v.arn(what+".hybrid.trustAnchorArn", a) {
			if !strings.Contains(a.Value, ":rolesanywhere:") || !strings.Contains(a.Value, ":trust-anchor/") {
				v.errorf(a.Pos, "%s.hybrid.trustAnchorArn must be a Roles Anywhere trust anchor ARN (arn:${partition}:rolesanywhere:${region}:ACCOUNT:trust-anchor/ID)", what)
			}
		}
	}
	if kind == KindEC2 && r.AccessEntry.Value == "true" && len(r.NodeGroups) > 0 {
		v.errorf(r.AccessEntry.Pos, "%s.accessEntry: true, but the role is for managed node groups (%s.nodeGroups), whose access entries EKS creates itself; a second one fails. Set nodeGroups: [] for a role of self-managed or Karpenter nodes", what, what)
	}
}

func (v *validator) serviceAccounts() {
	seen := map[string]Pos{}
	for i := range v.s.ServiceAccounts {
		sa := &v.s.ServiceAccounts[i]
		what := index("serviceAccounts", i)
		v.serviceAccount(what, sa)
		if sa.Namespace.Value == "" || sa.Name.Value == "" {
			continue
		}
		key := sa.Namespace.Value + "/" + sa.Name.Value
		if prev, ok := seen[key]; ok {
			v.errorf(sa.Pos, "ServiceAccount %s is listed twice (first at %s)", key, prev)
		}
		seen[key] = sa.Pos
		if key == "kube-system/aws-node" && v.s.CNI() == CNISeparateRole {
			if len(v.s.NodeRoles) > 0 {
				v.errorf(sa.Pos, "ServiceAccount kube-system/aws-node duplicates the CNI role that cni: separate-role (the default) generates; set cni: none on every EC2 node role to define it here")
			} else {
				v.errorf(sa.Pos, "ServiceAccount kube-system/aws-node duplicates the CNI role that nodeRole.cni: separate-role generates; set nodeRole.cni: none to define it here")
			}
		}
	}
}

func (v *validator) serviceAccount(what string, sa *ServiceAccount) {
	switch {
	case !sa.Namespace.Set:
		v.missing(sa.Pos, what+".namespace", "")
	case !dnsLabelRE.MatchString(sa.Namespace.Value) || len(sa.Namespace.Value) > 63:
		v.errorf(sa.Namespace.Pos, "%s.namespace %q is not a Kubernetes namespace name (DNS-1123 label: lowercase letters, digits and hyphens, at most 63)", what, sa.Namespace.Value)
	}
	switch {
	case !sa.Name.Set:
		v.missing(sa.Pos, what+".name", "")
	case !isDNSSubdomain(sa.Name.Value):
		v.errorf(sa.Name.Pos, "%s.name %q is not a Kubernetes ServiceAccount name (DNS-1123 subdomain: lowercase letters, digits, hyphens and dots, at most 253)", what, sa.Name.Value)
	}
	if sa.RoleName.Value != "" {
		switch {
		case !roleNameRE.MatchString(sa.RoleName.Value):
			v.errorf(sa.RoleName.Pos, "%s.roleName %q has characters IAM does not allow in role names (allowed: letters, digits and +=,.@_-)", what, sa.RoleName.Value)
		case len(sa.RoleName.Value) > 64:
			v.errorf(sa.RoleName.Pos, "%s.roleName is %d characters; IAM allows 64 (an explicit roleName is never shortened)", what, len(sa.RoleName.Value))
		}
	}
	v.presets(what, sa)
	for i, a := range sa.ManagedPolicyARNs {
		v.policyARN(index(what+".managedPolicyArns", i), a)
	}
	v.statements(what+".policy", sa.Policy)
	if d := sa.MaxSessionDuration; d.Set && (d.Value < 3600 || d.Value > 43200) {
		v.errorf(d.Pos, "%s.maxSessionDuration must be between 3600 and 43200 seconds, not %d", what, d.Value)
	}
	if sa.PermissionsBoundary.Value != "" {
		v.policyARN(what+".permissionsBoundary", sa.PermissionsBoundary)
	}
	v.tags(what+".tags", sa.Tags)
	if n := mergedTagCount(v.s.Tags, sa.Tags); n > maxTags {
		v.errorf(sa.Pos, "%s has %d tags with the spec's tags; AWS allows %d on a role", what, n, maxTags)
	}
	v.mechanism(what, sa)
	if sa.UsesPodIdentity() && sa.RunsOn.Value != RunsOnLinux {
		where := "Windows nodes"
		if sa.RunsOn.Value == RunsOnFargate {
			where = "Fargate"
		}
		v.errorf(sa.RunsOn.Pos, "%s runs on %s, where EKS Pod Identity does not work; set mechanism: irsa", what, where)
	}
}

// mechanism checks the fields that only some mechanisms take, and the
// combinations AWS refuses.
func (v *validator) mechanism(what string, sa *ServiceAccount) {
	if !sa.UsesPodIdentity() {
		for _, f := range []struct {
			name string
			pos  Pos
			set  bool
		}{
			{"trust", sa.Trust.Pos, sa.Trust.Set},
			{"sessionTags", sa.SessionTags.Pos, sa.SessionTags.Set},
			{"targetRoleArn", sa.TargetRoleARN.Pos, sa.TargetRoleARN.Set},
			{"sessionPolicy", sa.SessionPolicyPos, sa.SessionPolicyPos.IsValid()},
		} {
			if f.set {
				v.errorf(f.pos, "%s.%s applies to EKS Pod Identity only; this ServiceAccount uses mechanism: irsa", what, f.name)
			}
		}
	}
	if sa.UsesIRSA() {
		switch {
		case sa.Mechanism.Value == MechanismBoth && (v.s.IRSA == nil || v.s.IRSA.OIDCProviderARN.Value == ""):
			v.errorf(sa.Mechanism.Pos, "%s uses mechanism: both, which needs irsa.oidcProviderArn set (the role trusts that provider and Pod Identity at once)", what)
		case v.s.IRSA == nil:
			v.errorf(sa.Mechanism.Pos, "%s uses mechanism: irsa, which needs a top-level irsa mapping (irsa: {} looks the OIDC provider up)", what)
		}
	}
	if !sa.UsesPodIdentity() {
		return
	}
	if sa.Trust.Value == TrustScoped && !sa.SessionTags.Value {
		at := sa.SessionTags.Pos
		v.errorf(at, "%s: trust: scoped matches the session tags that Pod Identity sets, so it needs sessionTags: true; set trust: account to turn session tags off", what)
	}
	if sa.TargetRoleARN.Set {
		if v.arn(what+".targetRoleArn", sa.TargetRoleARN) && !strings.Contains(sa.TargetRoleARN.Value, ":role/") {
			v.errorf(sa.TargetRoleARN.Pos, "%s.targetRoleArn must be an IAM role ARN (arn:${partition}:iam::ACCOUNT:role/NAME)", what)
		}
	}
	if sa.SessionPolicyPos.IsValid() {
		if len(sa.SessionPolicy) == 0 {
			v.errorf(sa.SessionPolicyPos, "%s.sessionPolicy needs at least one statement", what)
		}
		if sa.SessionTags.Value {
			v.errorf(sa.SessionPolicyPos, "%s.sessionPolicy needs sessionTags: false (AWS requires session tags off on an association with a session policy), and so trust: account", what)
		}
		v.statements(what+".sessionPolicy", sa.SessionPolicy)
	}
}

// presetPos is where a ServiceAccount lists a preset, pinned or not.
func presetPos(sa *ServiceAccount, name string) Pos {
	i := slices.IndexFunc(sa.Presets, func(s Str) bool { n, _, _ := strings.Cut(s.Value, "@"); return n == name })
	return sa.Presets[i].Pos
}

// presets checks a ServiceAccount's presets and their options: known
// presets, each once; options that one of them takes, with valid values;
// every required option given.
func (v *validator) presets(what string, sa *ServiceAccount) {
	var chosen []*templates.Preset
	seen := map[string]bool{}
	for _, p := range sa.Presets {
		name, version, pinned := strings.Cut(p.Value, "@")
		preset, ok := templates.Lookup(p.Value)
		switch {
		case !ok && pinned:
			if base, known := templates.Lookup(name); known {
				v.errorf(p.Pos, "%s.presets: preset %s has no version %q%s; its versions are %s", what, name, version, suggest(version, base.VersionNames()), strings.Join(base.VersionNames(), ", "))
				continue
			}
			fallthrough
		case !ok:
			v.errorf(p.Pos, "%s.presets: unknown preset %q%s; eksiam presets lists them", what, name, suggest(name, templates.PresetNames()))
			continue
		case seen[name]:
			v.errorf(p.Pos, "%s.presets: %s is listed twice", what, name)
			continue
		}
		seen[name] = true
		chosen = append(chosen, preset)
	}
	if len(sa.Presets) == 0 {
		for _, o := range sa.PresetOptions {
			v.errorf(o.Name.Pos, "%s.presetOptions.%s is set, but the ServiceAccount has no presets", what, o.Name.Value)
		}
		return
	}
	given := map[string]bool{}
	for _, o := range sa.PresetOptions {
		w := what + ".presetOptions." + o.Name.Value
		if given[o.Name.Value] {
			v.errorf(o.Name.Pos, "%s is set twice", w)
			continue
		}
		given[o.Name.Value] = true
		opt, found := findOption(chosen, o.Name.Value)
		if !found {
			if len(chosen) == len(sa.Presets) { // unknown presets were reported already
				v.errorf(o.Name.Pos, "%s: no preset of this ServiceAccount takes %s%s", w, o.Name.Value, suggest(o.Name.Value, optionNames(chosen)))
			}
			continue
		}
		if len(o.Values) == 0 {
			v.errorf(o.Name.Pos, "%s needs at least one value", w)
		}
		for _, val := range o.Values {
			if opt.ARN {
				v.arn(w, val)
			} else if msg := opt.ValueError(val.Value); msg != "" {
				v.errorf(val.Pos, "%s: %q %s", w, val.Value, msg)
			}
		}
	}
	for _, p := range chosen {
		if len(p.OneOf) > 0 && !slices.ContainsFunc(p.OneOf, func(o string) bool { return given[o] }) {
			v.errorf(presetPos(sa, p.Name),
				"%s.presets: %s needs at least one of presetOptions.%s", what, p.Name, strings.Join(p.OneOf, ", presetOptions."))
		}
		for _, o := range p.Options {
			if o.Required && !given[o.Name] {
				v.errorf(presetPos(sa, p.Name),
					"%s.presets: %s needs presetOptions.%s: %s (for example %s)", what, p.Name, o.Name, strings.TrimSuffix(o.Description, "."), o.Example)
			}
			if !given[o.Name] || len(o.Needs) == 0 || slices.Equal(optionValues(sa, o.Name), o.Default) {
				continue
			}
			for _, need := range o.Needs {
				if !given[need] {
					n, _ := p.Option(need)
					v.errorf(presetPos(sa, p.Name), "%s.presets: %s with presetOptions.%s needs presetOptions.%s: %s (for example %s)",
						what, p.Name, o.Name, need, strings.TrimSuffix(n.Description, "."), n.Example)
				}
			}
		}
	}
}

func findOption(ps []*templates.Preset, name string) (templates.Option, bool) {
	for _, p := range ps {
		if o, ok := p.Option(name); ok {
			return o, true
		}
	}
	return templates.Option{}, false
}

func optionNames(ps []*templates.Preset) []string {
	var out []string
	for _, p := range ps {
		for _, o := range p.Options {
			if !slices.Contains(out, o.Name) {
				out = append(out, o.Name)
			}
		}
	}
	return out
}

// maxTags is how many tags AWS allows on a role or an association.
const maxTags = 50

// mergedTagCount counts the tags of a role: the spec's and its own, a key
// counted once ignoring case.
func mergedTagCount(base, own []KeyValue) int {
	keys := map[string]bool{}
	for _, kv := range slices.Concat(base, own) {
		keys[strings.ToLower(kv.Key.Value)] = true
	}
	return len(keys)
}

func isDNSSubdomain(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if !dnsLabelRE.MatchString(label) {
			return false
		}
	}
	return true
}

// placeholders checks that s has only known placeholders.
func (v *validator) placeholders(what string, s Str) bool {
	if _, err := SplitPlaceholders(s.Value); err != nil {
		v.errorf(s.Pos, "%s: %v", what, err)
		return false
	}
	return true
}

// arn checks an ARN-valued field: known placeholders, the shape
// arn:partition:service:region:account:resource, and a partition that is
// the cluster's.
func (v *validator) arn(what string, s Str) bool {
	if !v.placeholders(what, s) {
		return false
	}
	m := arnRE.FindStringSubmatch(flatten(s.Value))
	if m == nil {
		v.errorf(s.Pos, "%s %q is not an ARN (arn:${partition}:SERVICE:REGION:ACCOUNT:RESOURCE)", what, s.Value)
		return false
	}
	if m[1] != "X" && v.s.Cluster.Partition.Value != "" && m[1] != v.s.Cluster.Partition.Value {
		v.errorf(s.Pos, "%s names partition %s, but the cluster is in %s; write arn:${partition}:... to follow the cluster", what, m[1], v.s.Cluster.Partition.Value)
		return false
	}
	return true
}

// policyARN checks an ARN that must name an IAM policy, as managed
// policy attachments and permissions boundaries do.
func (v *validator) policyARN(what string, s Str) bool {
	if !v.arn(what, s) {
		return false
	}
	m := arnRE.FindStringSubmatch(flatten(s.Value))
	if m[2] != "iam" || !strings.HasPrefix(m[5], "policy/") {
		v.errorf(s.Pos, "%s %q is not an IAM policy ARN (arn:${partition}:iam::ACCOUNT:policy/NAME, or aws for AWS-managed policies)", what, s.Value)
		return false
	}
	return true
}

// flatten replaces every ${...} by X so that the colons of IAM policy
// variables do not disturb the ARN's shape.
func flatten(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			break
		}
		b.WriteString(s[:i])
		b.WriteString("X")
		s = s[i+end+1:]
	}
	b.WriteString(s)
	return b.String()
}

func (v *validator) statements(what string, sts []Statement) {
	sids := map[string]Pos{}
	for i := range sts {
		st := &sts[i]
		w := index(what, i)
		if st.Sid.Set {
			if !sidRE.MatchString(st.Sid.Value) {
				v.errorf(st.Sid.Pos, "%s.sid %q must be letters and digits only", w, st.Sid.Value)
			}
			if prev, ok := sids[st.Sid.Value]; ok && st.Sid.Value != "" {
				v.errorf(st.Sid.Pos, "%s.sid %q is used twice in one policy (first at %s)", w, st.Sid.Value, prev)
			}
			sids[st.Sid.Value] = st.Sid.Pos
		}
		switch {
		case len(st.Actions) == 0 && len(st.NotActions) == 0:
			v.errorf(st.Pos, "%s needs actions (or notActions)", w)
		case len(st.Actions) > 0 && len(st.NotActions) > 0:
			v.errorf(st.NotActions[0].Pos, "%s has both actions and notActions; use one", w)
		}
		for _, a := range slices.Concat(st.Actions, st.NotActions) {
			if !actionRE.MatchString(a.Value) {
				v.errorf(a.Pos, "%s: action %q must be service:Action (for example s3:GetObject)", w, a.Value)
			}
		}
		switch {
		case len(st.Resources) == 0 && len(st.NotResources) == 0:
			v.errorf(st.Pos, "%s needs resources (or notResources)", w)
		case len(st.Resources) > 0 && len(st.NotResources) > 0:
			v.errorf(st.NotResources[0].Pos, "%s has both resources and notResources; use one", w)
		}
		for _, r := range slices.Concat(st.Resources, st.NotResources) {
			if r.Value != "*" {
				v.arn(w+": resource", r)
			}
		}
		for _, c := range st.Conditions {
			v.condition(w, c)
		}
	}
}

func (v *validator) condition(what string, c Condition) {
	op := c.Operator.Value
	base := strings.TrimPrefix(strings.TrimPrefix(op, "ForAllValues:"), "ForAnyValue:")
	if base != "Null" {
		base = strings.TrimSuffix(base, "IfExists")
	}
	if !slices.Contains(conditionOperators, base) {
		v.errorf(c.Operator.Pos, "%s: unknown condition operator %q%s", what, op, suggest(op, conditionOperators))
	}
	if c.Key.Value == "" || hasPlaceholder(c.Key.Value) {
		v.errorf(c.Key.Pos, "%s: condition key %q must be a plain key such as aws:ResourceTag/team (no placeholders)", what, c.Key.Value)
	}
	for _, val := range c.Values {
		v.placeholders(what+": condition value", val)
	}
}

// optionValues are the values a ServiceAccount gives a preset option.
func optionValues(sa *ServiceAccount, name string) []string {
	for _, o := range sa.PresetOptions {
		if o.Name.Value == name {
			out := make([]string, len(o.Values))
			for i, v := range o.Values {
				out[i] = v.Value
			}
			return out
		}
	}
	return nil
}
