// Package cloudformation writes the IAM model as one CloudFormation
// template (SPEC §3): Parameters for the names' parts, an AWS::IAM::Role per
// role with its trust and inline policies, customer-managed policies where
// the model moved statements out of a full role, the instance profile, the
// Pod Identity associations, and exported Outputs. It builds the YAML as a
// yaml.Node tree with short-form intrinsics and holds no policy logic.
package cloudformation

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksiam/eksiam/gen/iam"
	y "github.com/eksiam/eksiam/gen/internal/yamlnode"
	"github.com/eksiam/eksiam/schema"
)

// Path is where the template goes in the output folder.
const Path = "cloudformation/template.yaml"

// parameter is the CloudFormation parameter of a reference, or "".
func parameter(r iam.Ref) string {
	switch r {
	case iam.RefProject:
		return "Project"
	case iam.RefEnvironment:
		return "Environment"
	case iam.RefCluster:
		return "ClusterName"
	case iam.RefOIDCProviderARN:
		return "OidcProviderArn"
	}
	return ""
}

// issuerVar is the Fn::Sub variable that holds the OIDC issuer, taken
// from the OidcProviderArn parameter.
const issuerVar = "OidcIssuer"

// nodeRoleParam is the parameter that passes a nested stack the node
// role's ARN, which the root template's !GetAtt gives.
const nodeRoleParam = "NodeRoleArn"

// subVar is what a reference becomes inside !Sub (SPEC §1): the node
// role's ARN is its Arn attribute, or in a nested stack the parameter
// that the root passes it.
func (e *emitter) subVar(r iam.Ref) string {
	switch r {
	case iam.RefNodeRoleARN:
		if e.nodeRoleParam {
			return nodeRoleParam
		}
		return roleID(e.m.PassedNodeRole()) + ".Arn"
	case iam.RefPartition:
		return "AWS::Partition"
	case iam.RefRegion:
		return "AWS::Region"
	case iam.RefAccount:
		return "AWS::AccountId"
	}
	if p := parameter(r); p != "" {
		return p
	}
	if r == iam.RefOIDCIssuer {
		return issuerVar
	}
	panic("cloudformation: no substitution for reference " + string(r))
}

// subString renders e as the body of a !Sub: references as ${Name},
// literal text escaped by subLiteral so IAM policy variables reach AWS
// unchanged.
func (e *emitter) subString(x iam.Expr) string {
	var b strings.Builder
	for _, p := range x {
		if p.Ref != "" {
			b.WriteString("${" + e.subVar(p.Ref) + "}")
		} else {
			subLiteral(&b, p.Text)
		}
	}
	return b.String()
}

// subLiteral writes literal text into a !Sub body. Fn::Sub reads "${"
// up to the next "}" as one variable, and one starting with "!" as that
// text literally; so each such span gets one "!" after its opening "${",
// and anything inside it, a nested "${" too, is copied as it is. (The
// loader refuses a "${" with no "}" after it.)
func subLiteral(b *strings.Builder, s string) {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			b.WriteString(s)
			return
		}
		b.WriteString(s[:i])
		b.WriteString("${!")
		b.WriteString(s[i+2 : i+end+1])
		s = s[i+end+1:]
	}
}

// value renders an Expr: a plain string when literal (never wrapped in
// !Sub), !Ref (or the node role's !GetAtt) for a lone reference, else
// !Sub.
func (e *emitter) value(x iam.Expr) *yaml.Node {
	if s, ok := x.Literal(); ok {
		return y.Str(s)
	}
	if len(x) == 1 {
		if v := e.subVar(x[0].Ref); strings.Contains(v, ".") {
			return y.Tagged("!GetAtt", v)
		}
		return ref(e.subVar(x[0].Ref))
	}
	return y.Tagged("!Sub", e.subString(x))
}

func ref(name string) *yaml.Node { return y.Tagged("!Ref", name) }

func getAtt(resource, attr string) *yaml.Node { return y.Tagged("!GetAtt", resource+"."+attr) }

// literalKey renders a condition key, which a YAML mapping key cannot
// substitute into. Keys with references are written as whole JSON
// documents instead (documentString).
func literalKey(e iam.Expr) string {
	s, _ := e.Literal()
	return s
}

// document writes a trust policy as YAML. Where a condition key holds a
// reference (the OIDC issuer of an IRSA trust looked up at deploy time),
// the document becomes one JSON string in a !Sub, since CloudFormation
// cannot substitute into mapping keys; AssumeRolePolicyDocument takes a
// string (permission policies do not: see permissions). The issuer is the
// part of the OidcProviderArn parameter after "oidc-provider/", given to
// the !Sub in its list form.
func (e *emitter) document(d iam.Document) *yaml.Node {
	literalKeys := true
	for _, s := range d.Statements {
		for _, c := range s.Conditions {
			literalKeys = literalKeys && c.Key.IsLiteral()
		}
	}
	if literalKeys {
		return y.Document(d, e.value, literalKey)
	}
	body := d.JSON(e.subString)
	if !strings.Contains(body, "${"+issuerVar+"}") {
		return y.Tagged("!Sub", body)
	}
	split := y.FlowSeq(y.Str("oidc-provider/"), ref(parameter(iam.RefOIDCProviderARN)))
	split.Tag = "!Split"
	sel := y.FlowSeq(y.Int(1), split)
	sel.Tag = "!Select"
	sub := y.Seq(y.Str(body), y.NewMapping().Add(issuerVar, sel).Node)
	sub.Tag = "!Sub"
	return sub
}

// documentString writes a policy document as a JSON string, for
// properties that take a string (an association's session policy): plain
// when it has no references, else a !Sub whose literal ${ are escaped.
func (e *emitter) documentString(d iam.Document) *yaml.Node {
	if d.IsLiteral() {
		return y.Str(d.JSON(literalKey))
	}
	return y.Tagged("!Sub", d.JSON(e.subString))
}

type emitter struct {
	m *iam.Model
	// fixed records the references written as their spec values in
	// permission policies' condition keys, which CloudFormation cannot
	// substitute; Rules then assert that the deploy keeps those values.
	fixed []iam.Ref
	// nodeRoleParam is set while writing a nested stack's resources,
	// which take the node role's ARN as a parameter.
	nodeRoleParam bool
}

// permissions writes a permission policy document, always as an object:
// a condition key that refers to the cluster (a cluster tag in a preset) is
// written with the spec's value, and the template's Rules require that
// value at deploy time. CloudFormation itself would take a JSON string in a
// !Sub, as the trust policy's lookup does, but AWS's validator
// (@aws/cloudformation-validate) rejects a string for permission policies
// (E3510), and the project holds every template to it.
func (e *emitter) permissions(d iam.Document) *yaml.Node {
	key := func(x iam.Expr) string {
		for _, p := range x {
			if p.Ref != "" && !slices.Contains(e.fixed, p.Ref) {
				e.fixed = append(e.fixed, p.Ref)
			}
		}
		return x.Resolve(e.m.Value)
	}
	return y.Document(d, e.value, key)
}

// rules asserts the values that condition keys were written with.
func (e *emitter) rules() *yaml.Node {
	if len(e.fixed) == 0 {
		return nil
	}
	slices.SortFunc(e.fixed, func(a, b iam.Ref) int { return strings.Compare(e.subVar(a), e.subVar(b)) })
	var asserts []*yaml.Node
	for _, r := range e.fixed {
		eq := y.FlowSeq(ref(e.subVar(r)), y.Str(e.m.Value(r)))
		eq.Tag = "!Equals"
		asserts = append(asserts, y.NewMapping().
			Add("Assert", eq).
			Add("AssertDescription", y.Str(fmt.Sprintf("Condition keys in the policies name %s %s, which CloudFormation cannot substitute; generate the template again with eksiam for another value.",
				e.subVar(r), e.m.Value(r)))).Node)
	}
	return y.NewMapping().Add("ConditionKeysMatchParameters", y.NewMapping().Add("Assertions", y.Seq(asserts...)).Node).Node
}

// parameters are the template's parameters, those it uses only (an unused
// one is a cfn-lint warning); a nested stack's also take the root stack's
// name, for export names.
func (e *emitter) parameters(used map[string]bool, nested bool) *yaml.Node {
	params := y.NewMapping()
	for _, v := range e.m.Variables {
		if !used[parameter(v.Ref)] {
			continue
		}
		params.Add(parameter(v.Ref), y.NewMapping().
			Add("Type", y.Str("String")).
			Add("Description", y.Str(v.Description)).
			Add("Default", y.Str(v.Default)).
			Add("AllowedPattern", y.Str(v.Pattern)).
			Add("MinLength", y.Int(1)).
			Add("MaxLength", y.Int(v.MaxLength)).
			Add("ConstraintDescription", y.Str(constraint(v))).Node)
	}
	if nested {
		params.Add(rootStackParam, y.NewMapping().
			Add("Type", y.Str("String")).
			Add("Description", y.Str("Name of the root stack, which the export names start with.")).Node)
	}
	if used[parameter(iam.RefOIDCProviderARN)] {
		params.Add(parameter(iam.RefOIDCProviderARN), y.NewMapping().
			Add("Type", y.Str("String")).
			Add("Description", y.Str("ARN of the cluster's IAM OIDC provider, for the IRSA roles (aws eks describe-cluster shows its issuer).")).
			Add("AllowedPattern", y.Str(`^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/.+$`)).
			Add("ConstraintDescription", y.Str("an IAM OIDC provider ARN, arn:PARTITION:iam::ACCOUNT:oidc-provider/oidc.eks.REGION.amazonaws.com/id/ID")).Node)
	}
	if used[nodeRoleParam] {
		params.Add(nodeRoleParam, y.NewMapping().
			Add("Type", y.Str("String")).
			Add("Description", y.Str("ARN of the root stack's NodeRole, which presets such as karpenter let pods pass to EC2.")).
			Add("AllowedPattern", y.Str(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$`)).
			Add("ConstraintDescription", y.Str("an IAM role ARN, arn:PARTITION:iam::ACCOUNT:role/NAME")).Node)
	}
	if params.Len() == 0 {
		return nil
	}
	return params.Node
}

func constraint(v iam.Variable) string {
	what := "lowercase letters, digits and hyphens"
	if v.Ref == iam.RefCluster {
		what = "letters, digits, hyphens and underscores"
	}
	return fmt.Sprintf("%s, starting with a letter or digit, at most %d characters", what, v.MaxLength)
}

// notes says what the cluster needs that this template does not create.
func (e *emitter) notes() []string {
	var lines []string
	if len(e.m.Associations()) > 0 {
		lines = append(lines, "Pod Identity associations need the eks-pod-identity-agent add-on on the cluster.")
	}
	for _, r := range e.m.NodeRoles {
		n := r.Node
		switch {
		case n.AccessEntry != nil:
		case n.Shorthand && n.Kind == schema.KindEC2:
			lines = append(lines, "Self-managed and Karpenter nodes that use NodeRole need an EKS access entry of type",
				"EC2_LINUX; managed node groups create their own.")
		case n.Kind == schema.KindAutoMode:
			lines = append(lines, "As the cluster's Auto Mode node role (ComputeConfig.NodeRoleArn), "+roleID(r)+" gets its access",
				"entry from EKS; for a custom NodeClass's role, set accessEntry: true in the spec.")
		case len(n.NodeGroups) == 0:
			lines = append(lines, roleID(r)+" has no access entry (accessEntry: false): map it yourself.")
		}
	}
	return lines
}

// Logical ids: the node role's are fixed, a pod role's start with the
// PascalCase of its namespace and ServiceAccount.
func roleID(r *iam.Role) string { return r.PascalID + "Role" }

// resources writes a role and everything attached to it.
func (e *emitter) resources(r *iam.Role) *yaml.Node {
	res := y.NewMapping()
	res.AddCommented(r.Summary(), roleID(r), e.role(r))
	for _, p := range r.CustomerPolicies {
		res.Add(r.PascalID+"Policy"+p.Purpose, e.managedPolicy(r, p))
	}
	if r.InstanceProfile {
		res.Add(r.PascalID+"InstanceProfile", y.NewMapping().
			Add("Type", y.Str("AWS::IAM::InstanceProfile")).
			Add("Properties", e.instanceProfile(r)).Node)
	}
	if r.Association != nil {
		res.Add(r.PascalID+"PodIdentityAssociation", e.association(r))
	}
	if r.Kind == iam.KindNode && r.Node.AccessEntry != nil {
		res.Add(r.PascalID+"AccessEntry", e.accessEntry(r))
	}
	return res.Node
}

// accessEntry lets the node role's nodes join the cluster, with the EKS
// access policies its kind needs.
func (e *emitter) accessEntry(r *iam.Role) *yaml.Node {
	entry := r.Node.AccessEntry
	props := y.NewMapping().
		Add("ClusterName", ref(parameter(iam.RefCluster))).
		Add("PrincipalArn", getAtt(roleID(r), "Arn")).
		Add("Type", y.Str(entry.Type))
	if len(entry.PolicyARNs) > 0 {
		policies := make([]*yaml.Node, len(entry.PolicyARNs))
		for i, arn := range entry.PolicyARNs {
			policies[i] = y.NewMapping().
				Add("PolicyArn", e.value(arn)).
				Add("AccessScope", y.NewMapping().Add("Type", y.Str("cluster")).Node).Node
		}
		props.Add("AccessPolicies", y.Seq(policies...))
	}
	if len(r.Tags) > 0 {
		props.Add("Tags", tags(r.Tags))
	}
	return resource("AWS::EKS::AccessEntry", props)
}

func resource(typ string, props y.Mapping) *yaml.Node {
	return y.NewMapping().Add("Type", y.Str(typ)).Add("Properties", props.Node).Node
}

func (e *emitter) role(r *iam.Role) *yaml.Node {
	props := y.NewMapping().
		Add("RoleName", e.value(r.Name)).
		Add("Description", y.Str(r.Description))
	if r.Path != "/" {
		props.Add("Path", y.Str(r.Path))
	}
	props.Add("AssumeRolePolicyDocument", e.document(r.AssumeRolePolicy))
	if len(r.ManagedPolicyARNs) > 0 {
		arns := make([]*yaml.Node, len(r.ManagedPolicyARNs))
		for i, a := range r.ManagedPolicyARNs {
			arns[i] = e.value(a)
		}
		props.Add("ManagedPolicyArns", y.Seq(arns...))
	}
	if len(r.InlinePolicies) > 0 {
		policies := make([]*yaml.Node, len(r.InlinePolicies))
		for i, p := range r.InlinePolicies {
			policies[i] = y.NewMapping().
				Add("PolicyName", e.value(p.Name)).
				Add("PolicyDocument", e.permissions(p.Document)).Node
		}
		props.Add("Policies", y.Seq(policies...))
	}
	if r.MaxSessionDuration != 3600 {
		props.Add("MaxSessionDuration", y.Int(r.MaxSessionDuration))
	}
	if r.PermissionsBoundary != nil {
		props.Add("PermissionsBoundary", e.value(r.PermissionsBoundary))
	}
	if len(r.Tags) > 0 {
		props.Add("Tags", tags(r.Tags))
	}
	return resource("AWS::IAM::Role", props)
}

func (e *emitter) managedPolicy(r *iam.Role, p *iam.Policy) *yaml.Node {
	props := y.NewMapping().
		Add("ManagedPolicyName", e.value(p.Name)).
		Add("Description", y.Str("Statements of "+r.Description+" that do not fit in its inline policies"))
	if r.Path != "/" {
		props.Add("Path", y.Str(r.Path))
	}
	props.Add("Roles", y.FlowSeq(ref(roleID(r)))).
		Add("PolicyDocument", e.permissions(p.Document))
	return resource("AWS::IAM::ManagedPolicy", props)
}

func (e *emitter) instanceProfile(r *iam.Role) *yaml.Node {
	props := y.NewMapping().Add("InstanceProfileName", ref(roleID(r)))
	if r.Path != "/" {
		props.Add("Path", y.Str(r.Path))
	}
	return props.Add("Roles", y.FlowSeq(ref(roleID(r)))).Node
}

func (e *emitter) association(r *iam.Role) *yaml.Node {
	a := r.Association
	props := y.NewMapping().
		Add("ClusterName", ref(parameter(iam.RefCluster))).
		Add("Namespace", y.Str(a.Namespace)).
		Add("ServiceAccount", y.Str(a.ServiceAccount)).
		Add("RoleArn", getAtt(roleID(r), "Arn"))
	if a.TargetRoleARN != nil {
		props.Add("TargetRoleArn", e.value(a.TargetRoleARN))
	}
	if !a.SessionTags {
		props.Add("DisableSessionTags", y.Bool(true))
	}
	if a.SessionPolicy != nil {
		props.Add("Policy", e.documentString(*a.SessionPolicy))
	}
	if len(a.Tags) > 0 {
		props.Add("Tags", tags(a.Tags))
	}
	return resource("AWS::EKS::PodIdentityAssociation", props)
}

func tags(ts []iam.Tag) *yaml.Node {
	out := make([]*yaml.Node, len(ts))
	for i, t := range ts {
		out[i] = y.NewMapping().Add("Key", y.Str(t.Key)).Add("Value", y.Str(t.Value)).Node
	}
	return y.Seq(out...)
}

// outputs writes a role's outputs, each exported under a name built from
// the stack's: the Fn::Sub variable stackName, AWS::StackName in a single
// template and the root's name in a nested stack, so that export names
// stay the same in both layouts.
func (e *emitter) outputs(r *iam.Role, stackName string) y.Mapping {
	out := y.NewMapping()
	output := func(name, description string, val *yaml.Node) {
		out.Add(name, y.NewMapping().
			Add("Description", y.Str(description)).
			Add("Value", val).
			Add("Export", y.NewMapping().Add("Name", y.Tagged("!Sub", "${"+stackName+"}-"+name)).Node).Node)
	}
	id := roleID(r)
	if r.Kind == iam.KindNode {
		what, whose := "the EKS node role", "the node role's"
		if !r.Node.Shorthand {
			what, whose = "EKS node role "+r.Node.Name, "node role "+r.Node.Name+"'s"
		}
		output(id+"Arn", "ARN of "+what+".", getAtt(id, "Arn"))
		if r.InstanceProfile {
			output(r.PascalID+"InstanceProfileArn", "ARN of "+whose+" instance profile, for self-managed nodes and Karpenter.",
				getAtt(r.PascalID+"InstanceProfile", "Arn"))
		}
		return out
	}
	desc := fmt.Sprintf("ARN of the role for ServiceAccount %s/%s.", r.Namespace, r.ServiceAccount)
	if r.Mechanism != "pod-identity" {
		desc += " Annotate the ServiceAccount with eks.amazonaws.com/role-arn set to it."
	}
	output(id+"Arn", desc, getAtt(id, "Arn"))
	if a := r.Association; a != nil && a.TargetRoleARN != nil {
		output(r.PascalID+"ExternalId", fmt.Sprintf("External ID the target role's trust policy should require as sts:ExternalId for %s/%s.", r.Namespace, r.ServiceAccount),
			getAtt(r.PascalID+"PodIdentityAssociation", "ExternalId"))
	}
	return out
}
