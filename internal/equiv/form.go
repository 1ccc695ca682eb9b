// Package equiv reads generated code back into one small normalized form,
// so that tests can check that Terraform, CloudFormation, eksctl and the IAM
// model all grant the same thing: per role its name, trust, managed policy
// ARNs and the set of (effect, action, resource, condition) tuples of its
// own policies; per Pod Identity association its cluster, namespace,
// ServiceAccount, role, target role and session settings. Tests use it;
// the eksiam binary does not.
package equiv

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/eksiam/eksiam/gen/iam"
)

// UnknownAccount stands for the deploying account where the spec leaves it
// to deploy time, in every format alike.
const UnknownAccount = "000000000000"

// Tuple is one permission: a statement expanded per action and resource.
// NotAction and NotResource entries start with "!". Condition is the
// statement's whole condition block in a canonical text.
type Tuple struct {
	Effect    string `json:"effect"`
	Principal string `json:"principal,omitempty"`
	Action    string `json:"action"`
	Resource  string `json:"resource,omitempty"`
	Condition string `json:"condition,omitempty"`
}

// Role is what one role grants and whom it trusts.
type Role struct {
	Name string `json:"name"`
	// Trust is nil where the format does not carry it (eksctl).
	Trust       []Tuple  `json:"trust"`
	ManagedARNs []string `json:"managedArns"`
	Permissions []Tuple  `json:"permissions"`
}

// Association is an EKS Pod Identity association.
type Association struct {
	Cluster        string  `json:"cluster"`
	Namespace      string  `json:"namespace"`
	ServiceAccount string  `json:"serviceAccount"`
	Role           string  `json:"role"`
	TargetRole     string  `json:"targetRole,omitempty"`
	SessionTags    bool    `json:"sessionTags"`
	SessionPolicy  []Tuple `json:"sessionPolicy,omitempty"`
}

// AccessEntry is an EKS access entry: the principal's ARN, its type, and
// the EKS access policies associated with it cluster-wide.
type AccessEntry struct {
	Principal string   `json:"principal"`
	Type      string   `json:"type"`
	Policies  []string `json:"policies,omitempty"`
}

// Form is everything one output grants, sorted.
type Form struct {
	Roles         []Role        `json:"roles"`
	Associations  []Association `json:"associations"`
	AccessEntries []AccessEntry `json:"accessEntries,omitempty"`
}

// normalize sorts and de-duplicates every set of the form.
func (f *Form) normalize() {
	for i := range f.Roles {
		r := &f.Roles[i]
		r.Trust = sortTuples(r.Trust)
		r.Permissions = sortTuples(r.Permissions)
		slices.Sort(r.ManagedARNs)
		r.ManagedARNs = slices.Compact(r.ManagedARNs)
		if r.ManagedARNs == nil {
			r.ManagedARNs = []string{}
		}
	}
	slices.SortFunc(f.Roles, func(a, b Role) int { return cmp.Compare(a.Name, b.Name) })
	for i := range f.Associations {
		f.Associations[i].SessionPolicy = sortTuples(f.Associations[i].SessionPolicy)
	}
	slices.SortFunc(f.Associations, func(a, b Association) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.ServiceAccount, b.ServiceAccount))
	})
	for i := range f.AccessEntries {
		slices.Sort(f.AccessEntries[i].Policies)
	}
	slices.SortFunc(f.AccessEntries, func(a, b AccessEntry) int { return cmp.Compare(a.Principal, b.Principal) })
}

func sortTuples(ts []Tuple) []Tuple {
	key := func(t Tuple) string {
		return t.Effect + "\x00" + t.Principal + "\x00" + t.Action + "\x00" + t.Resource + "\x00" + t.Condition
	}
	slices.SortFunc(ts, func(a, b Tuple) int { return cmp.Compare(key(a), key(b)) })
	return slices.CompactFunc(ts, func(a, b Tuple) bool { return key(a) == key(b) })
}

// Diff returns a -want +got diff of two forms, or "" when they are equal.
func Diff(wantName string, want Form, gotName string, got Form) string {
	w, _ := json.MarshalIndent(want, "", "  ")
	g, _ := json.MarshalIndent(got, "", "  ")
	return string(diff.Diff(wantName, append(w, '\n'), gotName, append(g, '\n')))
}

// statement is a policy statement read from any format, before expansion.
type statement struct {
	effect                  string
	principals              []string // Type:identifier
	actions, notActions     []string
	resources, notResources []string
	conditions              []string // operator|key|sorted values
}

// tuples expands statements into tuples.
func tuples(sts []statement) []Tuple {
	var out []Tuple
	for _, s := range sts {
		effect := cmp.Or(s.effect, "Allow")
		sort.Strings(s.conditions)
		cond := strings.Join(s.conditions, ";")
		actions := s.actions
		for _, a := range s.notActions {
			actions = append(actions, "!"+a)
		}
		resources := s.resources
		for _, r := range s.notResources {
			resources = append(resources, "!"+r)
		}
		if len(resources) == 0 {
			resources = []string{""}
		}
		principals := s.principals
		if len(principals) == 0 {
			principals = []string{""}
		}
		for _, p := range principals {
			for _, a := range actions {
				for _, r := range resources {
					out = append(out, Tuple{Effect: effect, Principal: p, Action: a, Resource: r, Condition: cond})
				}
			}
		}
	}
	return out
}

func condition(op, key string, values []string) string {
	v := slices.Clone(values)
	sort.Strings(v)
	return op + "|" + key + "|" + strings.Join(v, ",")
}

// Values resolves the model's references as every format does at deploy
// time, with UnknownAccount for an account the spec leaves open and
// OIDCIssuer's provider for one looked up at deploy time.
func Values(m *iam.Model) func(iam.Ref) string {
	account := m.Cluster.AccountID
	if account == "" {
		account = UnknownAccount
	}
	return m.Resolver(account, OIDCIssuer(m.Cluster.Region))
}

// OIDCIssuer stands for the cluster's OIDC issuer (without https://) where
// the outputs look it up at deploy time.
func OIDCIssuer(region string) string {
	return "oidc.eks." + region + ".amazonaws.com/id/EKSIAMTESTISSUER"
}

// FromModel reads the model as the reference form.
func FromModel(m *iam.Model) Form {
	value := Values(m)
	resolve := func(es []iam.Expr) []string { return iam.ResolveAll(es, value) }
	doc := func(d iam.Document) []Tuple {
		var sts []statement
		for _, s := range d.Statements {
			st := statement{effect: s.Effect, actions: s.Actions, notActions: s.NotActions,
				resources: resolve(s.Resources), notResources: resolve(s.NotResources)}
			for _, p := range s.Principals {
				for _, id := range resolve(p.Identifiers) {
					st.principals = append(st.principals, p.Type+":"+id)
				}
			}
			for _, c := range s.Conditions {
				st.conditions = append(st.conditions, condition(c.Operator, c.Key.Resolve(value), resolve(c.Values)))
			}
			sts = append(sts, st)
		}
		return tuples(sts)
	}
	var f Form
	for _, r := range m.Roles() {
		role := Role{Name: r.Name.Resolve(value), Trust: doc(r.AssumeRolePolicy), ManagedARNs: resolve(r.ManagedPolicyARNs)}
		for _, p := range append(append([]*iam.Policy{}, r.InlinePolicies...), r.CustomerPolicies...) {
			role.Permissions = append(role.Permissions, doc(p.Document)...)
		}
		f.Roles = append(f.Roles, role)
		if n := r.Node; n != nil && n.AccessEntry != nil {
			f.AccessEntries = append(f.AccessEntries, AccessEntry{Principal: r.ARN(value), Type: n.AccessEntry.Type, Policies: resolve(n.AccessEntry.PolicyARNs)})
		}
		if a := r.Association; a != nil {
			assoc := Association{Cluster: m.Cluster.Name, Namespace: a.Namespace, ServiceAccount: a.ServiceAccount,
				Role: role.Name, TargetRole: a.TargetRoleARN.Resolve(value), SessionTags: a.SessionTags}
			if a.SessionPolicy != nil {
				assoc.SessionPolicy = doc(*a.SessionPolicy)
			}
			f.Associations = append(f.Associations, assoc)
		}
	}
	f.normalize()
	return f
}

// fromJSONDocument reads a policy document held as maps and lists, as
// CloudFormation and eksctl write it and as JSON decodes it.
func fromJSONDocument(doc any) ([]Tuple, error) {
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("policy document is %T, not a mapping", doc)
	}
	var raw []any
	switch s := m["Statement"].(type) {
	case []any:
		raw = s
	case map[string]any:
		raw = []any{s}
	default:
		return nil, fmt.Errorf("policy document has no Statement")
	}
	var sts []statement
	for _, r := range raw {
		sm, ok := r.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("statement is %T, not a mapping", r)
		}
		st := statement{effect: str(sm["Effect"]), actions: strs(sm["Action"]), notActions: strs(sm["NotAction"]),
			resources: strs(sm["Resource"]), notResources: strs(sm["NotResource"])}
		if p, ok := sm["Principal"].(map[string]any); ok {
			for typ, ids := range p {
				for _, id := range strs(ids) {
					st.principals = append(st.principals, typ+":"+id)
				}
			}
		}
		if c, ok := sm["Condition"].(map[string]any); ok {
			for op, keys := range c {
				km, _ := keys.(map[string]any)
				for k, v := range km {
					st.conditions = append(st.conditions, condition(op, k, strs(v)))
				}
			}
		}
		sts = append(sts, st)
	}
	return tuples(sts), nil
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return fmt.Sprint(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func strs(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = str(e)
		}
		return out
	}
	return []string{str(v)}
}
