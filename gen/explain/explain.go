// Package explain says, from the IAM model alone, who can take each role
// and what it can do: a report in plain words (text, Markdown or JSON),
// and a graph ServiceAccount → role → services (Graphviz dot, Mermaid).
// Decisions on single requests are gen/evaluate's.
package explain

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/eksiam/eksiam/gen/iam"
	"github.com/eksiam/eksiam/sar"
	"github.com/eksiam/eksiam/schema"
)

// Report is what the spec's roles allow, role by role.
type Report struct {
	Spec    string `json:"spec"`
	Cluster string `json:"cluster"`
	Account string `json:"account"`
	Roles   []Role `json:"roles"`
}

// Role is one role: whom it trusts and what it grants.
type Role struct {
	Name string `json:"name"`
	// Who is the ServiceAccount (namespace/name) or node role it is for.
	Who       string  `json:"who"`
	Mechanism string  `json:"mechanism,omitempty"`
	Trust     []Trust `json:"trust"`
	// Services group the role's own statements by AWS service.
	Services []Service `json:"services"`
	// ManagedPolicies are attached by ARN; their content is not known
	// offline.
	ManagedPolicies []string `json:"managedPolicies,omitempty"`
	Boundary        string   `json:"permissionsBoundary,omitempty"`
	SessionPolicy   []Grant  `json:"sessionPolicy,omitempty"`
	TargetRole      string   `json:"targetRole,omitempty"`
	AccessEntry     string   `json:"accessEntry,omitempty"`
}

// Trust is one trust statement in plain words.
type Trust struct {
	Summary    string   `json:"summary"`
	Principals []string `json:"principals"`
	Actions    []string `json:"actions"`
	Conditions []string `json:"conditions,omitempty"`
}

// Service is what a role may do in one AWS service.
type Service struct {
	Prefix string  `json:"service"`
	Grants []Grant `json:"grants"`
}

// Grant is one statement's part for one service: its actions (with how
// many actions their wildcards cover, by AWS's Service Authorization
// Reference), resources and conditions, and where it comes from.
type Grant struct {
	Effect     string   `json:"effect"`
	Actions    []string `json:"actions"`
	NotActions []string `json:"notActions,omitempty"`
	// Covers is how many actions the actions (or, for NotAction, every
	// action but those) stand for.
	Covers       int      `json:"covers"`
	Resources    []string `json:"resources,omitempty"`
	NotResources []string `json:"notResources,omitempty"`
	Conditions   []string `json:"conditions,omitempty"`
	Sid          string   `json:"sid,omitempty"`
	// From is the preset, "eksiam" for eksiam's own documents, or
	// "spec"; At the spec position.
	From string `json:"from"`
	At   string `json:"at,omitempty"`
}

// Build makes the report for the model's roles, or only the
// ServiceAccount's with only (namespace/name) set; value resolves the
// model's references.
func Build(m *iam.Model, value func(iam.Ref) string, only string) (Report, error) {
	rep := Report{Spec: m.SpecName, Cluster: m.Cluster.Name, Account: value(iam.RefAccount)}
	for _, r := range m.Roles() {
		who := who(r)
		if only != "" && who != only {
			continue
		}
		rep.Roles = append(rep.Roles, role(m, r, value))
	}
	if only != "" && len(rep.Roles) == 0 {
		return rep, fmt.Errorf("the spec has no role for ServiceAccount %s", only)
	}
	return rep, nil
}

// who names what a role is for: namespace/name, or "node role NAME".
func who(r *iam.Role) string {
	if r.Kind == iam.KindNode {
		return "node role " + r.Node.Name
	}
	return r.Namespace + "/" + r.ServiceAccount
}

func role(m *iam.Model, r *iam.Role, value func(iam.Ref) string) Role {
	out := Role{Name: r.Name.Resolve(value), Who: who(r), Mechanism: r.Mechanism}
	resolve := func(es []iam.Expr) []string { return iam.ResolveAll(es, value) }
	for _, s := range r.AssumeRolePolicy.Statements {
		t := Trust{Actions: s.Actions}
		for _, p := range s.Principals {
			for _, id := range resolve(p.Identifiers) {
				t.Principals = append(t.Principals, p.Type+": "+id)
			}
		}
		for _, c := range s.Conditions {
			t.Conditions = append(t.Conditions, c.Operator+" "+c.Key.Resolve(value)+" = "+strings.Join(resolve(c.Values), ", "))
		}
		t.Summary = trustSummary(m, r, s, value)
		out.Trust = append(out.Trust, t)
	}
	byService := map[string][]Grant{}
	for _, p := range append(append([]*iam.Policy{}, r.InlinePolicies...), r.CustomerPolicies...) {
		for _, s := range p.Document.Statements {
			for svc, g := range grants(s, value) {
				byService[svc] = append(byService[svc], g)
			}
		}
	}
	for svc, gs := range byService {
		out.Services = append(out.Services, Service{Prefix: svc, Grants: gs})
	}
	slices.SortFunc(out.Services, func(a, b Service) int { return cmp.Compare(a.Prefix, b.Prefix) })
	out.ManagedPolicies = resolve(r.ManagedPolicyARNs)
	if r.PermissionsBoundary != nil {
		out.Boundary = r.PermissionsBoundary.Resolve(value)
	}
	if a := r.Association; a != nil {
		if a.SessionPolicy != nil {
			for _, s := range a.SessionPolicy.Statements {
				for _, g := range grants(s, value) {
					out.SessionPolicy = append(out.SessionPolicy, g)
				}
			}
		}
		if a.TargetRoleARN != nil {
			out.TargetRole = a.TargetRoleARN.Resolve(value)
		}
	}
	if r.Node != nil && r.Node.AccessEntry != nil {
		out.AccessEntry = r.Node.AccessEntry.Type
	}
	return out
}

// trustSummary says in words whom a trust statement lets in.
func trustSummary(m *iam.Model, r *iam.Role, s iam.Statement, value func(iam.Ref) string) string {
	principal := ""
	if len(s.Principals) > 0 && len(s.Principals[0].Identifiers) > 0 {
		principal = s.Principals[0].Identifiers[0].Resolve(value)
	}
	switch {
	case principal == iam.PodIdentityPrincipal && r.Trust == schema.TrustScoped:
		return fmt.Sprintf("EKS Pod Identity, for pods of ServiceAccount %s/%s in cluster %s only", r.Namespace, r.ServiceAccount, m.Cluster.Name)
	case principal == iam.PodIdentityPrincipal:
		return "EKS Pod Identity, for any association in the account that names this role"
	case s.Principals[0].Type == "Federated":
		return fmt.Sprintf("IRSA: pods of ServiceAccount %s/%s, through the cluster's OIDC provider", r.Namespace, r.ServiceAccount)
	case principal == iam.EC2Principal:
		return "EC2 instances (the nodes) that carry the role in their instance profile"
	case principal == iam.SSMPrincipal:
		return "SSM hybrid activations of this account and region (hybrid nodes)"
	case principal == iam.RolesAnywherePrincipal:
		return "IAM Roles Anywhere sessions from the trust anchor, named after the certificate's CN (hybrid nodes)"
	}
	return "principal " + principal
}

// grants splits a statement by the services of its actions (a NotAction
// statement covers every service, "*").
func grants(s iam.Statement, value func(iam.Ref) string) map[string]Grant {
	resolve := func(es []iam.Expr) []string { return iam.ResolveAll(es, value) }
	base := Grant{Effect: s.Effect, Resources: resolve(s.Resources), NotResources: resolve(s.NotResources), Sid: s.Sid, From: "spec"}
	for _, c := range s.Conditions {
		base.Conditions = append(base.Conditions, c.Operator+" "+c.Key.Resolve(value)+" = "+strings.Join(resolve(c.Values), ", "))
	}
	switch {
	case s.Preset == iam.OwnDocument:
		base.From = "eksiam"
	case s.Preset != "":
		base.From = "preset " + s.Preset
	}
	if s.Pos.IsValid() {
		base.At = s.Pos.String()
	}
	out := map[string]Grant{}
	if len(s.NotActions) > 0 {
		g := base
		g.NotActions = s.NotActions
		g.Covers = len(covered([]string{"*"})) - len(covered(s.NotActions))
		out["*"] = g
		return out
	}
	for _, a := range s.Actions {
		svc, _, _ := strings.Cut(a, ":")
		if a == "*" {
			svc = "*"
		}
		g, ok := out[svc]
		if !ok {
			g = base
		}
		g.Actions = append(g.Actions, a)
		out[svc] = g
	}
	for svc, g := range out {
		g.Covers = len(covered(g.Actions))
		out[svc] = g
	}
	return out
}

// covered is the set of actions that action patterns stand for.
func covered(patterns []string) map[string]bool {
	out := map[string]bool{}
	for _, p := range patterns {
		for _, a := range sar.Default().Expand(p) {
			out[a.Service.Prefix+":"+a.Name] = true
		}
	}
	return out
}
