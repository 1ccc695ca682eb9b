package iam

import (
	"slices"
	"strings"

	"github.com/eksiam/eksiam/schema"
	"github.com/eksiam/eksiam/templates"
)

// presets adds a ServiceAccount's presets to its role, in the order the
// spec lists them: each preset's statements as an inline policy
// eksiam-<preset>, with sids prefixed by the preset's name so that several
// presets never share one, and without statements the role already has
// (two presets that both list the same read actions grant them once); its
// AWS-managed policies as attachments.
func (b *builder) presets(r *Role, sa *schema.ServiceAccount) {
	for _, name := range sa.Presets {
		p, ok := templates.Lookup(name.Value)
		if !ok {
			continue // reported by the spec's validation
		}
		values := func(option string) []string {
			for _, o := range sa.PresetOptions {
				if o.Name.Value == option {
					return strs(o.Values)
				}
			}
			if opt, ok := p.Option(option); ok {
				return b.defaults(opt.Default, sa, p, option, name.Pos)
			}
			return nil
		}
		var doc Document
		for _, s := range p.Expand(values) {
			st := b.presetStatement(p.Name, s, name.Pos)
			if !b.roleHas(r, doc, st) {
				doc.Statements = append(doc.Statements, st)
			}
		}
		if len(doc.Statements) > 0 {
			r.InlinePolicies = append(r.InlinePolicies, b.policy(p.Name, doc))
		}
		for _, m := range p.ManagedPolicies {
			r.ManagedPolicyARNs = append(r.ManagedPolicyARNs, ManagedPolicyARN(m))
		}
		if by := p.ServiceAccount.CreatedBy; by != "" && r.CreatedBy == "" {
			r.CreatedBy = by
		}
		if c := p.Chart; c != nil && !slices.ContainsFunc(r.Charts, func(x *Chart) bool { return x.Name == c.Name }) {
			r.Charts = append(r.Charts, &Chart{Name: c.Name, Repository: c.Repository, CreateKey: c.CreateKey, NameKey: c.NameKey, AnnotationsKey: c.AnnotationsKey, Values: c.Values})
		}
	}
	r.ManagedPolicyARNs = sortExprs(r.ManagedPolicyARNs)
}

func (b *builder) presetStatement(preset string, s templates.Statement, pos schema.Pos) Statement {
	exprs := func(ss []string) []Expr {
		out := make([]Expr, len(ss))
		for i, s := range ss {
			if s == templates.NodeRoleARN {
				out[i] = Refer(RefNodeRoleARN)
				continue
			}
			out[i] = b.expr(s)
		}
		return sortExprs(out)
	}
	st := Statement{
		Sid:          pascal(preset) + s.Sid,
		Effect:       s.Effect,
		Actions:      sortStrings(slices.Clone(s.Actions)),
		NotActions:   sortStrings(slices.Clone(s.NotActions)),
		Resources:    exprs(s.Resources),
		NotResources: exprs(s.NotResources),
		Pos:          pos,
		Preset:       preset,
	}
	for _, c := range s.Conditions {
		st.Conditions = append(st.Conditions, Condition{Operator: c.Operator, Key: b.expr(c.Key), Values: exprs(c.Values)})
	}
	slices.SortFunc(st.Conditions, func(x, y Condition) int {
		if c := strings.Compare(x.Operator, y.Operator); c != 0 {
			return c
		}
		return Compare(x.Key, y.Key)
	})
	return st
}

// roleHas reports whether the role's policies, or the document being
// built, already hold a statement granting the same as st.
func (b *builder) roleHas(r *Role, building Document, st Statement) bool {
	key := statementKey(st)
	docs := []Document{building}
	for _, p := range r.InlinePolicies {
		docs = append(docs, p.Document)
	}
	for _, d := range docs {
		for _, s := range d.Statements {
			if statementKey(s) == key {
				return true
			}
		}
	}
	return false
}

// statementKey is a statement's content without its sid.
func statementKey(s Statement) string {
	s.Sid = ""
	s.Pos = schema.Pos{}
	s.Preset = ""
	return Document{Statements: []Statement{s}}.JSON(Expr.String)
}

// defaults are an option's default values, or an error when one is
// templates.NodeRoleARN and the spec has no node role. presetStatement
// makes that value a reference to the node role's ARN, so that the policy
// follows its name, path and environment, as the role does.
func (b *builder) defaults(values []string, sa *schema.ServiceAccount, p *templates.Preset, option string, pos schema.Pos) []string {
	if !slices.Contains(values, templates.NodeRoleARN) {
		return values
	}
	switch {
	case len(b.m.NodeRoles) == 0:
		b.diags.Errorf(pos, "ServiceAccount %s/%s uses %s, whose presetOptions.%s defaults to the spec's node role, but nodeRole.enabled is false: set presetOptions.%s",
			sa.Namespace.Value, sa.Name.Value, p.Name, option, option)
		return nil
	case b.m.PassedNodeRole() == nil:
		b.diags.Errorf(pos, "ServiceAccount %s/%s uses %s, whose presetOptions.%s defaults to the spec's EC2 node role, but the spec has none or several and none named karpenter or default: set presetOptions.%s",
			sa.Namespace.Value, sa.Name.Value, p.Name, option, option)
		return nil
	}
	return values
}
