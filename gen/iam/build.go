package iam

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/eksiam/eksiam/schema"
)

// AWS-managed policies the node and CNI roles use, by name.
const (
	PolicyWorkerNode      = "AmazonEKSWorkerNodePolicy"
	PolicyECRPullOnly     = "AmazonEC2ContainerRegistryPullOnly"
	PolicyECRReadOnly     = "AmazonEC2ContainerRegistryReadOnly"
	PolicyCNI             = "AmazonEKS_CNI_Policy"
	PolicySSMInstanceCore = "AmazonSSMManagedInstanceCore"
	// PolicyWorkerNodeMinimal is the Auto Mode node role's policy.
	PolicyWorkerNodeMinimal = "AmazonEKSWorkerNodeMinimalPolicy"
)

// AccessPolicyAutoNode is the EKS access policy that an Auto Mode custom
// node class's role needs on its access entry (an EKS access policy, not
// an IAM policy).
const AccessPolicyAutoNode = "AmazonEKSAutoNodePolicy"

// Service principals and the Pod Identity session tags.
const (
	PodIdentityPrincipal   = "pods.eks.amazonaws.com"
	EC2Principal           = "ec2.amazonaws.com"
	EC2PrincipalChina      = "ec2.amazonaws.com.cn"
	SSMPrincipal           = "ssm.amazonaws.com"
	RolesAnywherePrincipal = "rolesanywhere.amazonaws.com"

	// HybridActivationTag is the tag key on the SSM hybrid activation (and
	// so on its managed instances) whose value is the cluster's ARN: the
	// hybrid node role may deregister only those instances (EKS user
	// guide, hybrid-nodes-creds, whose example uses this key).
	HybridActivationTag = "EKSClusterARN"

	TagClusterARN     = "aws:RequestTag/eks-cluster-arn"
	TagNamespace      = "aws:RequestTag/kubernetes-namespace"
	TagServiceAccount = "aws:RequestTag/kubernetes-service-account"
)

// IAM limits (aws-facts.md, "Limits").
const (
	MaxRoleName       = 64
	MaxInlinePolicies = 10240
	MaxManagedPolicy  = 6144
	MaxManagedPerRole = 20
)

// ManagedPolicyARN is the ARN of an AWS-managed policy in the cluster's
// partition.
func ManagedPolicyARN(name string) Expr {
	return Concat(Lit("arn:"), Refer(RefPartition), Lit(":iam::aws:policy/"+name))
}

// ClusterARN is the cluster's ARN built from its parts, never read from the
// cluster, so that it works in the run that creates the cluster.
func ClusterARN() Expr {
	return Concat(Lit("arn:"), Refer(RefPartition), Lit(":eks:"), Refer(RefRegion), Lit(":"),
		Refer(RefAccount), Lit(":cluster/"), Refer(RefCluster))
}

// builder carries the spec and the diagnostics of one Build.
type builder struct {
	spec  *schema.Spec
	m     *Model
	diags schema.Diagnostics
	// templates holds each naming template's placeholder positions; every
	// pod role shares one template.
	templates map[string][][]int
}

// Build turns a validated spec into the model. The diagnostics hold the
// problems only the model reveals: name clashes, a role over IAM's limits.
func Build(spec *schema.Spec) (*Model, schema.Diagnostics) {
	b := &builder{spec: spec}
	c := spec.Cluster
	b.m = &Model{
		SpecName:    filepath.Base(spec.File),
		Project:     spec.Project.Value,
		Environment: spec.Environment.Value,
		Cluster: Cluster{
			Name:      c.Name.Value,
			Region:    c.Region.Value,
			Partition: c.Partition.Value,
			AccountID: c.AccountID.Value,
			Version:   c.Version.Value,
		},
		Tags:         mergeTags(spec.Tags, nil),
		ClusterPos:   c.Pos,
		NestedStacks: spec.CloudFormation.NestedStacks.Value,
		IPFamily:     spec.IPFamily(),
		PodRoles:     []*Role{},
	}
	if spec.IRSA != nil {
		b.m.IRSA = b.irsa(spec.IRSA)
	}
	for _, nr := range spec.Nodes() {
		b.m.NodeRoles = append(b.m.NodeRoles, b.nodeRole(nr))
	}
	if spec.CNI() == schema.CNISeparateRole {
		b.m.PodRoles = append(b.m.PodRoles, b.cniRole())
	}
	seen := map[string]bool{}
	for i := range spec.ServiceAccounts {
		// A ServiceAccount listed twice is the loader's error; building
		// it twice would only repeat that as clashes.
		sa := &spec.ServiceAccounts[i]
		if key := sa.Namespace.Value + "/" + sa.Name.Value; !seen[key] {
			seen[key] = true
			b.m.PodRoles = append(b.m.PodRoles, b.podRole(sa))
		}
	}
	// Sorted at the spec→model boundary: every later step and every emitter
	// walks roles in this order.
	slices.SortStableFunc(b.m.PodRoles, func(x, y *Role) int {
		return cmp.Or(cmp.Compare(x.Namespace, y.Namespace), cmp.Compare(x.ServiceAccount, y.ServiceAccount))
	})
	if len(b.m.Roles()) == 0 {
		b.diags.Errorf(b.m.ClusterPos, "the spec generates no role: enable nodeRole, set nodeRole.cni to separate-role, or add serviceAccounts")
	}
	b.checkIDs()
	b.checkNames()
	for _, r := range b.m.Roles() {
		b.fitPolicies(r)
		b.checkQuotas(r)
	}
	b.m.Variables = b.variables()
	return b.m, b.diags.Sorted()
}

// expr converts a spec string into an Expr: placeholders become references,
// and ${account} becomes the account id when the spec fixes it. The spec
// was validated, so placeholders are known.
func (b *builder) expr(s string) Expr {
	segs, err := schema.SplitPlaceholders(s)
	if err != nil {
		return Lit(s)
	}
	parts := make([]Expr, 0, len(segs))
	for _, seg := range segs {
		switch {
		case seg.Placeholder == "":
			parts = append(parts, Lit(seg.Text))
		case seg.Placeholder == string(RefAccount) && b.m.Cluster.AccountID != "":
			parts = append(parts, Lit(b.m.Cluster.AccountID))
		default:
			parts = append(parts, Refer(Ref(seg.Placeholder)))
		}
	}
	return Concat(parts...)
}

// fold replaces the account reference by the spec's account id when set.
func (b *builder) fold(e Expr) Expr {
	if b.m.Cluster.AccountID == "" || !e.HasRef(RefAccount) {
		return e
	}
	parts := make([]Expr, len(e))
	for i, p := range e {
		if p.Ref == RefAccount {
			parts[i] = Lit(b.m.Cluster.AccountID)
		} else {
			parts[i] = Expr{p}
		}
	}
	return Concat(parts...)
}

func (b *builder) exprs(ss []schema.Str) []Expr {
	out := make([]Expr, 0, len(ss))
	for _, s := range ss {
		out = append(out, b.expr(s.Value))
	}
	return sortExprs(out)
}

func sortExprs(es []Expr) []Expr {
	slices.SortFunc(es, Compare)
	return slices.CompactFunc(es, func(a, b Expr) bool { return Compare(a, b) == 0 })
}

func sortStrings(ss []string) []string {
	slices.Sort(ss)
	return slices.Compact(ss)
}

func strs(ss []schema.Str) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, s.Value)
	}
	return out
}

// mergeTags merges the spec's tags with a role's own; the role's value wins
// on the same key. The result is sorted by key.
func mergeTags(base, own []schema.KeyValue) []Tag {
	var out []Tag
	for _, kv := range slices.Concat(own, base) {
		// IAM tag keys are unique ignoring case.
		if !slices.ContainsFunc(out, func(t Tag) bool { return strings.EqualFold(t.Key, kv.Key.Value) }) {
			out = append(out, Tag{Key: kv.Key.Value, Value: kv.Value.Value})
		}
	}
	slices.SortFunc(out, func(a, b Tag) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

func (b *builder) irsa(s *schema.IRSA) *IRSA {
	arn := s.OIDCProviderARN.Value
	if arn == "" {
		return &IRSA{Lookup: true, ProviderARN: Refer(RefOIDCProviderARN), Issuer: Refer(RefOIDCIssuer)}
	}
	_, issuer, _ := strings.Cut(arn, ":oidc-provider/")
	return &IRSA{ProviderARN: b.expr(arn), Issuer: b.expr(issuer)}
}

// NodeRoleID and NodeRolePascalID are the ids of the nodeRole shorthand's
// role, and of a listed one named default, which the formats build its
// resource names from; other node roles add their name.
const (
	NodeRoleID       = "node"
	NodeRolePascalID = "Node"
)

// nodeRole builds one node role: its trust and policies by kind, and its
// access entry.
func (b *builder) nodeRole(nr *schema.NodeRole) *Role {
	name, shortened := b.roleName(b.spec.Naming.NodeRole.Value, "", "", nr.Name.Value)
	id, pascalID := NodeRoleID, NodeRolePascalID
	if nr.Name.Value != schema.DefaultNodeRole {
		id, pascalID = NodeRoleID+"_"+SnakeName(nr.Name.Value), NodeRolePascalID+pascal(nr.Name.Value)
	}
	r := &Role{
		Kind:               KindNode,
		ID:                 id,
		PascalID:           pascalID,
		Name:               name,
		Shortened:          shortened,
		Description:        "EKS node role (generated by eksiam)",
		Path:               nr.Path.Value,
		MaxSessionDuration: schema.DefaultMaxSessionDuration,
		Tags:               b.m.Tags,
		Pos:                nr.Pos,
		Node: &Node{
			Name:      nr.Name.Value,
			Shorthand: nr == &b.spec.NodeRole,
			Kind:      nr.Kind.Value,
		},
	}
	if !r.Node.Shorthand {
		r.Description = "EKS node role " + nr.Name.Value + " (generated by eksiam)"
	}
	for _, g := range nr.NodeGroups {
		r.Node.NodeGroups = append(r.Node.NodeGroups, g.Value)
	}
	if nr.PermissionsBoundary.Value != "" {
		r.PermissionsBoundary = b.expr(nr.PermissionsBoundary.Value)
	}
	var arns []Expr
	if nr.ECR.Value == schema.ECRPullOnly {
		arns = append(arns, ManagedPolicyARN(PolicyECRPullOnly))
	} else {
		arns = append(arns, ManagedPolicyARN(PolicyECRReadOnly))
	}
	switch nr.Kind.Value {
	case schema.KindEC2:
		r.Node.OS = nr.OS.Value
		arns = append(arns, b.ec2NodeRole(r, nr)...)
	case schema.KindAutoMode:
		r.AssumeRolePolicy = ec2Trust(b.m.Cluster.Partition)
		arns = append(arns, ManagedPolicyARN(PolicyWorkerNodeMinimal))
	case schema.KindHybrid:
		r.Node.Credentials = nr.Hybrid.Credentials.Value
		arns = append(arns, b.hybridNodeRole(r, nr)...)
	}
	arns = append(arns, b.exprs(nr.AdditionalPolicyARNs)...)
	r.ManagedPolicyARNs = sortExprs(arns)
	r.Node.AccessEntry = b.accessEntry(r, nr)
	return r
}

// ec2Trust lets EC2 instances assume the role (in aws-cn also under
// EC2's Chinese service name).
func ec2Trust(partition string) Document {
	principals := []Expr{Lit(EC2Principal)}
	if partition == "aws-cn" {
		principals = append(principals, Lit(EC2PrincipalChina))
	}
	return Document{Statements: []Statement{{
		Effect:     "Allow",
		Principals: []Principal{{Type: "Service", Identifiers: principals}},
		Actions:    []string{"sts:AssumeRole"},
	}}}
}

// ec2NodeRole gives an EC2 node role its trust, worker and CNI policies
// and instance profile, and returns the managed policies it attaches.
func (b *builder) ec2NodeRole(r *Role, nr *schema.NodeRole) []Expr {
	r.AssumeRolePolicy = ec2Trust(b.m.Cluster.Partition)
	r.InstanceProfile = nr.InstanceProfile.Value
	var arns []Expr
	if nr.Policy.Value == schema.PolicyManaged {
		arns = append(arns, ManagedPolicyARN(PolicyWorkerNode))
	} else {
		r.InlinePolicies = append(r.InlinePolicies, b.policy("worker-node", own(at(restrictiveNodePolicy(b.fold), firstValid(nr.Policy.Pos, nr.Pos)))))
	}
	if nr.CNI.Value == schema.CNINodeRole {
		if b.m.IPFamily == schema.IPv6 {
			r.InlinePolicies = append(r.InlinePolicies, b.policy("cni-ipv6", own(at(ipv6CNIPolicy(), firstValid(nr.IPFamily.Pos, nr.Pos)))))
		} else {
			arns = append(arns, ManagedPolicyARN(PolicyCNI))
		}
	}
	if nr.SSM.Value {
		arns = append(arns, ManagedPolicyARN(PolicySSMInstanceCore))
	}
	return arns
}

// hybridNodeRole gives a hybrid node role the trust and permissions of the
// EKS user guide (hybrid-nodes-creds): trusted by SSM in this account and
// region, or by IAM Roles Anywhere for the trust anchor with the session
// named after the certificate's CN (nodeadm's node name); allowed to
// describe this cluster, list its access entries (which the page's current
// version adds for nodeadm) and get pod credentials on it, and with SSM to
// deregister the managed instances of this cluster's activation.
func (b *builder) hybridNodeRole(r *Role, nr *schema.NodeRole) []Expr {
	pos := firstValid(nr.Hybrid.Pos, nr.Pos)
	cluster := b.fold(ClusterARN())
	statements := []Statement{{
		Sid:       "ThisCluster",
		Effect:    "Allow",
		Actions:   []string{"eks-auth:AssumeRoleForPodIdentity", "eks:DescribeCluster", "eks:ListAccessEntries"},
		Resources: []Expr{cluster},
	}}
	arns := []Expr{}
	if nr.Hybrid.Credentials.Value == schema.CredentialsSSM {
		account := b.fold(Refer(RefAccount))
		r.AssumeRolePolicy = Document{Statements: []Statement{{
			Effect:     "Allow",
			Principals: []Principal{{Type: "Service", Identifiers: []Expr{Lit(SSMPrincipal)}}},
			Actions:    []string{"sts:AssumeRole"},
			Conditions: []Condition{
				{Operator: "ArnEquals", Key: Lit("aws:SourceArn"), Values: []Expr{Concat(Lit("arn:"), Refer(RefPartition), Lit(":ssm:"), Refer(RefRegion), Lit(":"), account, Lit(":*"))}},
				{Operator: "StringEquals", Key: Lit("aws:SourceAccount"), Values: []Expr{account}},
			},
		}}}
		statements = append(statements,
			Statement{
				Sid:       "DescribeManagedInstances",
				Effect:    "Allow",
				Actions:   []string{"ssm:DescribeInstanceInformation"},
				Resources: []Expr{Lit("*")},
			},
			Statement{
				Sid:        "DeregisterThisClustersInstances",
				Effect:     "Allow",
				Actions:    []string{"ssm:DeregisterManagedInstance"},
				Resources:  []Expr{Concat(Lit("arn:"), Refer(RefPartition), Lit(":ssm:"), Refer(RefRegion), Lit(":"), account, Lit(":managed-instance/*"))},
				Conditions: []Condition{{Operator: "StringEquals", Key: Lit("ssm:resourceTag/" + HybridActivationTag), Values: []Expr{cluster}}},
			})
		arns = append(arns, ManagedPolicyARN(PolicySSMInstanceCore))
	} else {
		anchor := b.expr(nr.Hybrid.TrustAnchorARN.Value)
		principal := []Principal{{Type: "Service", Identifiers: []Expr{Lit(RolesAnywherePrincipal)}}}
		fromAnchor := Condition{Operator: "ArnEquals", Key: Lit("aws:SourceArn"), Values: []Expr{anchor}}
		r.AssumeRolePolicy = Document{Statements: []Statement{
			{
				Effect:     "Allow",
				Principals: principal,
				Actions:    []string{"sts:SetSourceIdentity", "sts:TagSession"},
				Conditions: []Condition{fromAnchor},
			},
			{
				Effect:     "Allow",
				Principals: principal,
				Actions:    []string{"sts:AssumeRole"},
				Conditions: []Condition{
					fromAnchor,
					{Operator: "StringEquals", Key: Lit("sts:RoleSessionName"), Values: []Expr{Lit("${aws:PrincipalTag/x509Subject/CN}")}},
				},
			},
		}}
	}
	r.InlinePolicies = append(r.InlinePolicies, b.policy("hybrid-node", own(at(Document{Statements: statements}, pos))))
	return arns
}

// accessEntry is the EKS access entry a node role gets: with accessEntry
// auto, one unless EKS makes it (managed node groups, the Auto Mode
// default role) or the role is the nodeRole shorthand's, which keeps what
// eksiam generated before access entries (a comment says what to do).
func (b *builder) accessEntry(r *Role, nr *schema.NodeRole) *AccessEntry {
	want := nr.AccessEntry.Value == "true"
	if nr.AccessEntry.Value == schema.AccessEntryAuto {
		switch nr.Kind.Value {
		case schema.KindEC2:
			want = !r.Node.Shorthand && len(nr.NodeGroups) == 0
		case schema.KindHybrid:
			want = true
		}
	}
	if !want {
		return nil
	}
	switch {
	case nr.Kind.Value == schema.KindHybrid:
		return &AccessEntry{Type: "HYBRID_LINUX"}
	case nr.Kind.Value == schema.KindAutoMode:
		return &AccessEntry{Type: "EC2", PolicyARNs: []Expr{Concat(Lit("arn:"), Refer(RefPartition), Lit(":eks::aws:cluster-access-policy/"+AccessPolicyAutoNode))}}
	case nr.OS.Value == schema.OSWindows:
		return &AccessEntry{Type: "EC2_WINDOWS"}
	}
	return &AccessEntry{Type: "EC2_LINUX"}
}

// restrictiveNodePolicy lists AmazonEKSWorkerNodePolicy's actions one by one
// (SPEC §2): the EC2 describe actions on "*", since they take no
// resource-level permissions, and the cluster actions on this cluster only.
func restrictiveNodePolicy(fold func(Expr) Expr) Document {
	return Document{Statements: []Statement{
		{
			Sid:    "DescribeEC2",
			Effect: "Allow",
			Actions: []string{
				"ec2:DescribeInstanceTypes", "ec2:DescribeInstances", "ec2:DescribeRouteTables",
				"ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVolumes",
				"ec2:DescribeVolumesModifications", "ec2:DescribeVpcs",
			},
			Resources: []Expr{Lit("*")},
		},
		{
			Sid:       "ThisCluster",
			Effect:    "Allow",
			Actions:   []string{"eks-auth:AssumeRoleForPodIdentity", "eks:DescribeCluster"},
			Resources: []Expr{fold(ClusterARN())},
		},
	}}
}

// ipv6CNIPolicy is the VPC CNI's IPv6 policy (amazon-vpc-cni-k8s
// docs/iam-policy.md, "IPv6 mode"); AWS publishes no managed policy for it.
func ipv6CNIPolicy() Document {
	return Document{Statements: []Statement{
		{
			Sid:    "IPv6Addresses",
			Effect: "Allow",
			Actions: []string{
				"ec2:AssignIpv6Addresses", "ec2:DescribeInstanceTypes", "ec2:DescribeInstances",
				"ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets",
				"ec2:DescribeTags", "ec2:ModifyNetworkInterfaceAttribute",
			},
			Resources: []Expr{Lit("*")},
		},
		{
			Sid:       "TagNetworkInterfaces",
			Effect:    "Allow",
			Actions:   []string{"ec2:CreateTags"},
			Resources: []Expr{Concat(Lit("arn:"), Refer(RefPartition), Lit(":ec2:*:*:network-interface/*"))},
		},
	}}
}

func (b *builder) policy(purpose string, d Document) *Policy {
	return &Policy{Name: Lit("eksiam-" + purpose), Purpose: purpose, Document: d}
}

// OwnDocument is the Preset of the statements of eksiam's own documents
// (the restrictive node policy, the VPC CNI's IPv6 policy): like a preset's,
// they are not the user's to fix, so lint does not report them.
const OwnDocument = "eksiam"

// at gives a document's statements the position of the spec value that
// asked for them.
func at(d Document, pos schema.Pos) Document {
	for i := range d.Statements {
		d.Statements[i].Pos = pos
	}
	return d
}

// firstValid is the first of the positions that points into the spec.
func firstValid(ps ...schema.Pos) schema.Pos {
	for _, p := range ps {
		if p.IsValid() {
			return p
		}
	}
	return schema.Pos{}
}

// own marks a document's statements as eksiam's own.
func own(d Document) Document {
	for i := range d.Statements {
		d.Statements[i].Preset = OwnDocument
	}
	return d
}

// podIdentityTrust is the trust statement of a Pod Identity role. Scoped
// trust requires the session tags Pod Identity sets for this cluster,
// namespace and ServiceAccount.
func (b *builder) podIdentityTrust(ns, sa string, scoped bool) Statement {
	st := Statement{
		Sid:        "EKSPodIdentity",
		Effect:     "Allow",
		Principals: []Principal{{Type: "Service", Identifiers: []Expr{Lit(PodIdentityPrincipal)}}},
		Actions:    []string{"sts:AssumeRole", "sts:TagSession"},
	}
	if scoped {
		st.Conditions = []Condition{
			{Operator: "StringEquals", Key: Lit(TagClusterARN), Values: []Expr{b.fold(ClusterARN())}},
			{Operator: "StringEquals", Key: Lit(TagNamespace), Values: []Expr{Lit(ns)}},
			{Operator: "StringEquals", Key: Lit(TagServiceAccount), Values: []Expr{Lit(sa)}},
		}
	}
	return st
}

// irsaTrust is the trust statement of an IRSA role: the cluster's OIDC
// provider, for this ServiceAccount and the STS audience only.
func (b *builder) irsaTrust(ns, sa string) Statement {
	irsa := b.m.IRSA
	return Statement{
		Sid:        "IRSA",
		Effect:     "Allow",
		Principals: []Principal{{Type: "Federated", Identifiers: []Expr{irsa.ProviderARN}}},
		Actions:    []string{"sts:AssumeRoleWithWebIdentity"},
		Conditions: []Condition{
			{Operator: "StringEquals", Key: Concat(irsa.Issuer, Lit(":aud")), Values: []Expr{Lit("sts.amazonaws.com")}},
			{Operator: "StringEquals", Key: Concat(irsa.Issuer, Lit(":sub")), Values: []Expr{Lit("system:serviceaccount:" + ns + ":" + sa)}},
		},
	}
}

func (b *builder) cniRole() *Role {
	const ns, sa = "kube-system", "aws-node"
	// The role comes from nodeRole.cni (or its default, under nodeRole),
	// or the first EC2 node role of nodeRoles that asks for it:
	// diagnostics about it point there, and about its IPv6 policy at its
	// ipFamily, not at the cluster.
	nr := &b.spec.NodeRole
	for i := range b.spec.NodeRoles {
		if r := &b.spec.NodeRoles[i]; r.Kind.Value == schema.KindEC2 && r.CNI.Value == schema.CNISeparateRole {
			nr = r
			break
		}
	}
	pos := firstValid(nr.CNI.Pos, nr.Pos)
	r := b.podRoleBase(ns, sa, pos)
	r.Mechanism = schema.MechanismPodIdentity
	r.AddOn = "vpc-cni"
	r.Trust = schema.TrustScoped
	r.Description = fmt.Sprintf("VPC CNI role for %s/%s through EKS Pod Identity (generated by eksiam)", ns, sa)
	r.AssumeRolePolicy = Document{Statements: []Statement{b.podIdentityTrust(ns, sa, true)}}
	r.Tags = b.m.Tags
	if b.m.IPFamily == schema.IPv6 {
		r.InlinePolicies = []*Policy{b.policy("cni-ipv6", own(at(ipv6CNIPolicy(), firstValid(nr.IPFamily.Pos, pos))))}
	} else {
		r.ManagedPolicyARNs = []Expr{ManagedPolicyARN(PolicyCNI)}
	}
	r.Association = &Association{Namespace: ns, ServiceAccount: sa, SessionTags: true, Tags: b.m.Tags}
	return r
}

// podRoleBase fills what every pod role has: ids, name and defaults.
func (b *builder) podRoleBase(ns, sa string, pos schema.Pos) *Role {
	name, shortened := b.roleName(b.spec.Naming.PodRole.Value, ns, sa, "")
	return &Role{
		Kind:               KindPod,
		ID:                 snakeID(ns, sa),
		PascalID:           pascal(ns) + pascal(sa),
		Namespace:          ns,
		ServiceAccount:     sa,
		Name:               name,
		Shortened:          shortened,
		Path:               "/",
		MaxSessionDuration: schema.DefaultMaxSessionDuration,
		Pos:                pos,
	}
}

func (b *builder) podRole(sa *schema.ServiceAccount) *Role {
	ns, name := sa.Namespace.Value, sa.Name.Value
	r := b.podRoleBase(ns, name, sa.Pos)
	r.Mechanism = sa.Mechanism.Value
	if sa.RoleName.Value != "" {
		r.Name, r.Shortened, r.Explicit = Lit(sa.RoleName.Value), false, true
	}
	var how []string
	if sa.UsesPodIdentity() {
		r.Trust = sa.Trust.Value
		r.AssumeRolePolicy.Statements = append(r.AssumeRolePolicy.Statements, b.podIdentityTrust(ns, name, sa.Trust.Value == schema.TrustScoped))
		how = append(how, "EKS Pod Identity")
	}
	if sa.UsesIRSA() && b.m.IRSA != nil {
		r.AssumeRolePolicy.Statements = append(r.AssumeRolePolicy.Statements, b.irsaTrust(ns, name))
		how = append(how, "IRSA")
	}
	r.Description = fmt.Sprintf("Role for ServiceAccount %s/%s through %s (generated by eksiam)", ns, name, strings.Join(how, " and "))
	r.MaxSessionDuration = sa.MaxSessionDuration.Value
	if sa.PermissionsBoundary.Value != "" {
		r.PermissionsBoundary = b.expr(sa.PermissionsBoundary.Value)
	}
	r.ManagedPolicyARNs = b.exprs(sa.ManagedPolicyARNs)
	r.Tags = mergeTags(b.spec.Tags, sa.Tags)
	if len(sa.Policy) > 0 {
		r.InlinePolicies = append(r.InlinePolicies, b.policy("policy", b.document(sa.Policy)))
	}
	b.presets(r, sa)
	if sa.UsesPodIdentity() {
		a := &Association{Namespace: ns, ServiceAccount: name, SessionTags: sa.SessionTags.Value, Tags: r.Tags, Pos: sa.Pos}
		if sa.TargetRoleARN.Value != "" {
			a.TargetRoleARN = b.expr(sa.TargetRoleARN.Value)
			r.InlinePolicies = append(r.InlinePolicies, b.policy("target-role", Document{Statements: []Statement{{
				Sid:       "AssumeTargetRole",
				Effect:    "Allow",
				Actions:   []string{"sts:AssumeRole", "sts:TagSession"},
				Resources: []Expr{a.TargetRoleARN},
			}}}))
		}
		if sa.SessionPolicyPos.IsValid() {
			d := b.document(sa.SessionPolicy)
			a.SessionPolicy = &d
		}
		r.Association = a
	}
	return r
}

// document converts statements as written: statement order is the spec's,
// sets within a statement are sorted and de-duplicated.
func (b *builder) document(sts []schema.Statement) Document {
	d := Document{Statements: make([]Statement, 0, len(sts))}
	for _, s := range sts {
		st := Statement{
			Sid:          s.Sid.Value,
			Effect:       s.Effect.Value,
			Actions:      sortStrings(strs(s.Actions)),
			NotActions:   sortStrings(strs(s.NotActions)),
			Resources:    b.exprs(s.Resources),
			NotResources: b.exprs(s.NotResources),
			Pos:          s.Pos,
		}
		for _, c := range s.Conditions {
			cond := Condition{Operator: c.Operator.Value, Key: Lit(c.Key.Value), Values: b.exprs(c.Values)}
			// The same operator and key written twice would be one key in
			// IAM's JSON: merge their values.
			if i := slices.IndexFunc(st.Conditions, func(x Condition) bool {
				return x.Operator == cond.Operator && Compare(x.Key, cond.Key) == 0
			}); i >= 0 {
				st.Conditions[i].Values = sortExprs(append(st.Conditions[i].Values, cond.Values...))
				continue
			}
			st.Conditions = append(st.Conditions, cond)
		}
		slices.SortFunc(st.Conditions, func(x, y Condition) int {
			return cmp.Or(cmp.Compare(x.Operator, y.Operator), Compare(x.Key, y.Key))
		})
		d.Statements = append(d.Statements, st)
	}
	return d
}
