package terraform

import (
	"fmt"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/eksiam/eksiam/gen/iam"
	"github.com/eksiam/eksiam/schema"
)

// nodeChunks is one chunk per node role: the role, its instance profile
// and its access entry.
func (e *emitter) nodeChunks() []chunk {
	out := make([]chunk, len(e.m.NodeRoles))
	for i, r := range e.m.NodeRoles {
		out[i] = func(e *emitter, body *hclwrite.Body) { e.node(body, r) }
	}
	return out
}

func (e *emitter) node(body *hclwrite.Body, r *iam.Role) {
	e.comment(body, nodeComment(r)...)
	e.role(body, r)
	if r.InstanceProfile {
		body.AppendNewline()
		e.comment(body, "For self-managed nodes and Karpenter; managed node groups make their own.")
		b := body.AppendNewBlock("resource", []string{"aws_iam_instance_profile", r.ID}).Body()
		b.SetAttributeRaw("name", e.path("aws_iam_role", r.ID, "name"))
		if r.Path != "/" {
			b.SetAttributeRaw("path", e.str(r.Path))
		}
		b.SetAttributeRaw("role", e.path("aws_iam_role", r.ID, "name"))
		if len(r.Tags) > 0 {
			b.SetAttributeRaw("tags", e.tags(r.Tags))
		}
	}
	entry := r.Node.AccessEntry
	if entry == nil {
		return
	}
	body.AppendNewline()
	b := body.AppendNewBlock("resource", []string{"aws_eks_access_entry", r.ID}).Body()
	b.SetAttributeRaw("cluster_name", e.path("var", "cluster_name"))
	b.SetAttributeRaw("principal_arn", e.path("aws_iam_role", r.ID, "arn"))
	b.SetAttributeRaw("type", e.str(entry.Type))
	if len(r.Tags) > 0 {
		b.SetAttributeRaw("tags", e.tags(r.Tags))
	}
	for _, arn := range entry.PolicyARNs {
		body.AppendNewline()
		name := r.ID + "_" + iam.AttachmentKey(arn)
		a := body.AppendNewBlock("resource", []string{"aws_eks_access_policy_association", name}).Body()
		a.SetAttributeRaw("cluster_name", e.path("var", "cluster_name"))
		// Through the entry, so that the association waits for it.
		a.SetAttributeRaw("principal_arn", e.path("aws_eks_access_entry", r.ID, "principal_arn"))
		a.SetAttributeRaw("policy_arn", e.expr(arn))
		a.AppendNewline()
		a.AppendNewBlock("access_scope", nil).Body().SetAttributeRaw("type", e.str("cluster"))
	}
}

// nodeComment says what a node role is for and whether it needs an access
// entry that the output does not create.
func nodeComment(r *iam.Role) []string {
	n := r.Node
	if n.Shorthand && n.Kind == schema.KindEC2 && n.AccessEntry == nil {
		return []string{"EKS node role. Managed node groups create their own access entries; self-managed",
			"and Karpenter nodes that use this role need an access entry of type EC2_LINUX."}
	}
	lines := []string{r.Summary()}
	switch {
	case n.AccessEntry != nil:
		lines = append(lines, "Its nodes join the cluster through the access entry below ("+n.AccessEntry.Type+").")
	case n.Kind == schema.KindAutoMode:
		lines = append(lines, "As the cluster's Auto Mode node role (compute_config.node_role_arn), EKS creates its",
			"access entry; for a custom NodeClass's role, set accessEntry: true.")
	case len(n.NodeGroups) > 0:
		lines = append(lines, "Managed node groups create their own access entries.")
	default:
		lines = append(lines, "No access entry (accessEntry: false): map the role yourself.")
	}
	return lines
}

// podRoleChunks is one chunk per pod role: the role, everything attached
// to it and its association.
func (e *emitter) podRoleChunks() []chunk {
	var out []chunk
	if len(e.m.Associations()) > 0 {
		out = append(out, func(e *emitter, body *hclwrite.Body) {
			e.comment(body, "Pod Identity associations need the eks-pod-identity-agent add-on on the cluster.")
		})
	}
	for _, r := range e.m.PodRoles {
		out = append(out, func(e *emitter, body *hclwrite.Body) {
			e.comment(body, r.Summary())
			e.role(body, r)
			if r.Association != nil {
				body.AppendNewline()
				e.association(body, r)
			}
		})
	}
	return out
}

// role writes the role, its trust document, its policies and attachments.
func (e *emitter) role(body *hclwrite.Body, r *iam.Role) {
	trustID := r.ID + "_assume_role"
	b := body.AppendNewBlock("resource", []string{"aws_iam_role", r.ID}).Body()
	b.SetAttributeRaw("name", e.expr(r.Name))
	if r.Path != "/" {
		b.SetAttributeRaw("path", e.str(r.Path))
	}
	b.SetAttributeRaw("description", e.str(r.Description))
	b.SetAttributeRaw("assume_role_policy", e.path("data", "aws_iam_policy_document", trustID, "json"))
	// Policies attached outside this module (by hand, by another tool)
	// would otherwise stop Terraform from deleting or replacing the role.
	b.SetAttributeRaw("force_detach_policies", hclwrite.Tokens{e.ident("true")})
	if r.MaxSessionDuration != 3600 {
		b.SetAttributeValue("max_session_duration", cty.NumberIntVal(int64(r.MaxSessionDuration)))
	}
	if r.PermissionsBoundary != nil {
		b.SetAttributeRaw("permissions_boundary", e.expr(r.PermissionsBoundary))
	}
	if len(r.Tags) > 0 {
		b.SetAttributeRaw("tags", e.tags(r.Tags))
	}
	body.AppendNewline()
	e.document(body, trustID, r.AssumeRolePolicy)

	for _, p := range r.InlinePolicies {
		id := r.ID + "_" + iam.SnakeName(p.Purpose)
		body.AppendNewline()
		e.document(body, id, p.Document)
		body.AppendNewline()
		b := body.AppendNewBlock("resource", []string{"aws_iam_role_policy", id}).Body()
		b.SetAttributeRaw("name", e.expr(p.Name))
		b.SetAttributeRaw("role", e.path("aws_iam_role", r.ID, "name"))
		b.SetAttributeRaw("policy", e.path("data", "aws_iam_policy_document", id, "json"))
	}
	for _, p := range r.CustomerPolicies {
		id := r.ID + "_" + p.Purpose
		body.AppendNewline()
		e.document(body, id, p.Document)
		body.AppendNewline()
		b := body.AppendNewBlock("resource", []string{"aws_iam_policy", id}).Body()
		b.SetAttributeRaw("name", e.expr(p.Name))
		if r.Path != "/" {
			b.SetAttributeRaw("path", e.str(r.Path))
		}
		b.SetAttributeRaw("policy", e.path("data", "aws_iam_policy_document", id, "json"))
		if len(r.Tags) > 0 {
			b.SetAttributeRaw("tags", e.tags(r.Tags))
		}
		body.AppendNewline()
		a := body.AppendNewBlock("resource", []string{"aws_iam_role_policy_attachment", id}).Body()
		a.SetAttributeRaw("role", e.path("aws_iam_role", r.ID, "name"))
		a.SetAttributeRaw("policy_arn", e.path("aws_iam_policy", id, "arn"))
	}
	// Attachments are named after their policy alone (role__policy), so
	// adding one never renames another.
	for _, arn := range r.ManagedPolicyARNs {
		body.AppendNewline()
		a := body.AppendNewBlock("resource", []string{"aws_iam_role_policy_attachment", r.ID + "__" + iam.AttachmentKey(arn)}).Body()
		a.SetAttributeRaw("role", e.path("aws_iam_role", r.ID, "name"))
		a.SetAttributeRaw("policy_arn", e.expr(arn))
	}
}

// document writes an aws_iam_policy_document data source.
func (e *emitter) document(body *hclwrite.Body, id string, d iam.Document) {
	b := body.AppendNewBlock("data", []string{"aws_iam_policy_document", id}).Body()
	for i, s := range d.Statements {
		if i > 0 {
			b.AppendNewline()
		}
		st := b.AppendNewBlock("statement", nil).Body()
		if s.Sid != "" {
			st.SetAttributeRaw("sid", e.str(s.Sid))
		}
		st.SetAttributeRaw("effect", e.str(s.Effect))
		if len(s.Actions) > 0 {
			st.SetAttributeRaw("actions", e.strList(s.Actions))
		}
		if len(s.NotActions) > 0 {
			st.SetAttributeRaw("not_actions", e.strList(s.NotActions))
		}
		if len(s.Resources) > 0 {
			st.SetAttributeRaw("resources", e.exprList(s.Resources))
		}
		if len(s.NotResources) > 0 {
			st.SetAttributeRaw("not_resources", e.exprList(s.NotResources))
		}
		for _, p := range s.Principals {
			st.AppendNewline()
			pb := st.AppendNewBlock("principals", nil).Body()
			pb.SetAttributeRaw("type", e.str(p.Type))
			pb.SetAttributeRaw("identifiers", e.exprList(p.Identifiers))
		}
		for _, c := range s.Conditions {
			st.AppendNewline()
			cb := st.AppendNewBlock("condition", nil).Body()
			cb.SetAttributeRaw("test", e.str(c.Operator))
			cb.SetAttributeRaw("variable", e.expr(c.Key))
			cb.SetAttributeRaw("values", e.exprList(c.Values))
		}
	}
}

func (e *emitter) association(body *hclwrite.Body, r *iam.Role) {
	a := r.Association
	b := body.AppendNewBlock("resource", []string{"aws_eks_pod_identity_association", r.ID}).Body()
	b.SetAttributeRaw("cluster_name", e.path("var", "cluster_name"))
	b.SetAttributeRaw("namespace", e.str(a.Namespace))
	b.SetAttributeRaw("service_account", e.str(a.ServiceAccount))
	b.SetAttributeRaw("role_arn", e.path("aws_iam_role", r.ID, "arn"))
	if a.TargetRoleARN != nil {
		b.SetAttributeRaw("target_role_arn", e.expr(a.TargetRoleARN))
	}
	if !a.SessionTags {
		b.SetAttributeValue("disable_session_tags", cty.True)
	}
	if len(a.Tags) > 0 {
		b.SetAttributeRaw("tags", e.tags(a.Tags))
	}
}

// outputChunks is one chunk per role's outputs.
func (e *emitter) outputChunks() []chunk {
	var out []chunk
	for _, r := range e.m.Roles() {
		out = append(out, func(e *emitter, body *hclwrite.Body) { e.outputs(body, r) })
	}
	if len(e.m.PodRoles) > 0 {
		out = append(out, func(e *emitter, body *hclwrite.Body) { e.outputMaps(body) })
	}
	if len(out) == 0 {
		out = append(out, func(e *emitter, body *hclwrite.Body) {
			e.comment(body, "Nothing to output: the spec generates no roles.")
		})
	}
	return out
}

// outputMaps writes the pod roles' ARNs and names, and the associations'
// ids, as maps keyed by "namespace/serviceAccount", for modules that look
// a ServiceAccount's role up by name.
func (e *emitter) outputMaps(body *hclwrite.Body) {
	output := func(name, description, typ, attr string, roles []*iam.Role) {
		keys := make([]hclwrite.Tokens, len(roles))
		values := make([]hclwrite.Tokens, len(roles))
		for i, r := range roles {
			keys[i] = e.str(r.Namespace + "/" + r.ServiceAccount)
			values[i] = e.path(typ, r.ID, attr)
		}
		b := body.AppendNewBlock("output", []string{name}).Body()
		b.SetAttributeRaw("description", e.str(description))
		b.SetAttributeRaw("value", e.object(keys, values))
	}
	output("pod_role_arns", "ARNs of the pod roles, by namespace/serviceAccount.", "aws_iam_role", "arn", e.m.PodRoles)
	body.AppendNewline()
	output("pod_role_names", "Names of the pod roles, by namespace/serviceAccount.", "aws_iam_role", "name", e.m.PodRoles)
	if assocs := e.m.Associations(); len(assocs) > 0 {
		body.AppendNewline()
		output("pod_identity_association_ids", "IDs of the EKS Pod Identity associations, by namespace/serviceAccount.",
			"aws_eks_pod_identity_association", "association_id", assocs)
	}
}

func (e *emitter) outputs(body *hclwrite.Body, r *iam.Role) {
	first := true
	output := func(name, description string, value hclwrite.Tokens) {
		if !first {
			body.AppendNewline()
		}
		first = false
		b := body.AppendNewBlock("output", []string{name}).Body()
		b.SetAttributeRaw("description", e.str(description))
		b.SetAttributeRaw("value", value)
	}
	if r.Kind == iam.KindNode {
		what, whose := "the EKS node role", "the node role's"
		if !r.Node.Shorthand {
			what, whose = "EKS node role "+r.Node.Name, "node role "+r.Node.Name+"'s"
		}
		output(r.ID+"_role_name", "Name of "+what+".", e.path("aws_iam_role", r.ID, "name"))
		output(r.ID+"_role_arn", "ARN of "+what+".", e.path("aws_iam_role", r.ID, "arn"))
		if r.InstanceProfile {
			output(r.ID+"_instance_profile_name", "Name of "+whose+" instance profile, for self-managed nodes and Karpenter.",
				e.path("aws_iam_instance_profile", r.ID, "name"))
			output(r.ID+"_instance_profile_arn", "ARN of "+whose+" instance profile.", e.path("aws_iam_instance_profile", r.ID, "arn"))
		}
		return
	}
	who := fmt.Sprintf("ServiceAccount %s/%s", r.Namespace, r.ServiceAccount)
	output(r.ID+"_role_name", "Name of the role for "+who+".", e.path("aws_iam_role", r.ID, "name"))
	arnDesc := "ARN of the role for " + who + "."
	if r.Mechanism != "pod-identity" {
		arnDesc += " Annotate the ServiceAccount with eks.amazonaws.com/role-arn set to it."
	}
	output(r.ID+"_role_arn", arnDesc, e.path("aws_iam_role", r.ID, "arn"))
	if a := r.Association; a != nil && a.TargetRoleARN != nil {
		output(r.ID+"_external_id", "External ID the target role's trust policy should require as sts:ExternalId for "+who+".",
			e.path("aws_eks_pod_identity_association", r.ID, "external_id"))
	}
}
