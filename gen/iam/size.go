package iam

import (
	"encoding/json"
	"fmt"
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
			b.diags.Errorf(st.Pos, "a statement of %s is %d characters, more than the %d a managed policy may hold; split it", describeRole(r), size, MaxManagedPolicy)
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
	if n := len(r.CustomerPolicies) + len(r.ManagedPolicyARNs); n > MaxManagedPerRole {
		b.diags.Errorf(r.Pos, "%s would need %d managed policies, more than the %d IAM allows a role; move permissions to fewer statements or roles", describeRole(r), n, MaxManagedPerRole)
	}
}

// jsonStatement is a statement as IAM's JSON has it, for measuring size.
type jsonStatement struct {
	Sid         string                         `json:"Sid,omitempty"`
	Effect      string                         `json:"Effect"`
	Principal   map[string][]string            `json:"Principal,omitempty"`
	Action      []string                       `json:"Action,omitempty"`
	NotAction   []string                       `json:"NotAction,omitempty"`
	Resource    []string                       `json:"Resource,omitempty"`
	NotResource []string                       `json:"NotResource,omitempty"`
	Condition   map[string]map[string][]string `json:"Condition,omitempty"`
}

// Size is the length of d as IAM counts it: its JSON without whitespace,
// with references replaced by the spec's values (an unknown account counts
// as 12 digits).
func (b *builder) Size(d Document) int { return DocumentSize(b.m, d) }

// DocumentSize is the length of d as IAM counts it for model m.
func DocumentSize(m *Model, d Document) int {
	value := func(r Ref) string {
		if v := m.Value(r); v != "" {
			return v
		}
		if r == RefAccount {
			return "123456789012"
		}
		return "oidc.eks." + m.Cluster.Region + ".amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
	}
	resolve := func(es []Expr) []string {
		out := make([]string, len(es))
		for i, e := range es {
			out[i] = e.Resolve(value)
		}
		return out
	}
	doc := struct {
		Version   string          `json:"Version"`
		Statement []jsonStatement `json:"Statement"`
	}{Version: "2012-10-17"}
	for _, s := range d.Statements {
		js := jsonStatement{Sid: s.Sid, Effect: s.Effect, Action: s.Actions, NotAction: s.NotActions,
			Resource: resolve(s.Resources), NotResource: resolve(s.NotResources)}
		for _, p := range s.Principals {
			if js.Principal == nil {
				js.Principal = map[string][]string{}
			}
			js.Principal[p.Type] = resolve(p.Identifiers)
		}
		for _, c := range s.Conditions {
			if js.Condition == nil {
				js.Condition = map[string]map[string][]string{}
			}
			if js.Condition[c.Operator] == nil {
				js.Condition[c.Operator] = map[string][]string{}
			}
			js.Condition[c.Operator][c.Key.Resolve(value)] = resolve(c.Values)
		}
		doc.Statement = append(doc.Statement, js)
	}
	data, err := json.Marshal(doc)
	if err != nil {
		panic(fmt.Sprintf("iam: measuring a policy: %v", err))
	}
	n := 0
	for _, r := range string(data) {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}
