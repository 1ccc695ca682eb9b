package iam

import (
	"strconv"
	"unicode"
)

// fitPolicies keeps a role within IAM's policy size limits. When the
// role's inline policies together pass 10,240 characters, their statements
// move into customer-managed policies of at most 6,144 characters each,
// named <role name>-<n> (SPEC §2). A statement that fits in no policy, or a
// role that would need more managed policies than IAM allows, is an error.
func (b *builder) fitPolicies(r *Role) {
	total := 0
	for _, p := range r.InlinePolicies {
		total += b.Size(p.Document)
	}
	if total <= MaxInlinePolicies {
		return
	}
	var stmts []Statement
	for _, p := range r.InlinePolicies {
		stmts = append(stmts, p.Document.Statements...)
	}
	r.InlinePolicies = nil
	var cur *Policy
	for _, st := range stmts {
		if size := b.Size(Document{Statements: []Statement{st}}); size > MaxManagedPolicy {
			b.diags.Errorf(st.Pos, "a statement of %s is %d characters, more than the %d a managed policy may hold; split it", r.Who(), size, MaxManagedPolicy)
			return
		}
		if cur != nil && b.Size(Document{Statements: append(cur.Document.Statements[:len(cur.Document.Statements):len(cur.Document.Statements)], st)}) <= MaxManagedPolicy {
			cur.Document.Statements = append(cur.Document.Statements, st)
			continue
		}
		n := strconv.Itoa(len(r.CustomerPolicies) + 1)
		cur = &Policy{Name: Concat(r.Name, Lit("-"+n)), Purpose: n}
		cur.Document.Statements = []Statement{st}
		r.CustomerPolicies = append(r.CustomerPolicies, cur)
	}
}

// checkQuotas reports a role with more managed policies than IAM allows
// (20 at most), and statement ids
// used twice among a role's policies, which eksctl merges into one and IAM
// then refuses.
func (b *builder) checkQuotas(r *Role) {
	// Over the default quota of 10 is a lint finding (iam-limits); over
	// the hard limit, no account can hold the role.
	if n := len(r.CustomerPolicies) + len(r.ManagedPolicyARNs); n > MaxManagedPerRole {
		b.diags.Errorf(b.pos(r), "%s would have %d managed policies, more than the %d IAM allows a role; use fewer policies or split the permissions", r.Who(), n, MaxManagedPerRole)
	}
	first := map[string]Statement{}
	for _, p := range append(append([]*Policy{}, r.InlinePolicies...), r.CustomerPolicies...) {
		for _, st := range p.Document.Statements {
			if st.Sid == "" {
				continue
			}
			other, dup := first[st.Sid]
			if !dup {
				first[st.Sid] = st
				continue
			}
			// Point at the statement the user wrote, whichever came first.
			user, theirs := st, other
			if other.Preset == "" && other.Pos.IsValid() {
				user, theirs = other, st
			}
			pos := user.Pos
			if !pos.IsValid() {
				pos = b.pos(r)
			}
			whose := "eksiam uses it for a statement of its own"
			if theirs.Preset != "" {
				whose = "the " + theirs.Preset + " preset uses it"
			}
			b.diags.Errorf(pos, "sid %q is used twice among the policies of %s (%s); choose another sid", st.Sid, r.Who(), whose)
		}
	}
}

// Size is the length of d as IAM counts it: its JSON without whitespace,
// with references replaced by the spec's values (an unknown account counts
// as 12 digits).
func (b *builder) Size(d Document) int { return DocumentSize(b.m, d) }

// DocumentSize is the length of d as IAM counts it for model m.
func DocumentSize(m *Model, d Document) int {
	var value func(r Ref) string
	value = func(r Ref) string {
		if r == RefNodeRoleARN {
			return m.NodeRoleARN(value)
		}
		if v := m.Value(r); v != "" {
			return v
		}
		if r == RefAccount {
			return "123456789012"
		}
		return "oidc.eks." + m.Cluster.Region + ".amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
	}
	n := 0
	for _, r := range d.JSON(func(e Expr) string { return e.Resolve(value) }) {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}
