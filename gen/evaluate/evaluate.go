// Package evaluate decides offline, from the IAM model alone, what IAM
// would decide for a request made with one of the model's roles: a call
// (action, resource, request context) against the role's policies, or an
// sts:AssumeRole by a Pod Identity or IRSA principal against its trust
// policy. It follows IAM's policy evaluation logic for one account: an
// explicit Deny wins; else an Allow is needed, from the identity policies
// and, where they apply, also from the permissions boundary and the
// session policy. What the model does not hold (the content of managed
// policies) it does not guess: the decision then says what it depends on.
package evaluate

import (
	"slices"
	"strings"

	"github.com/eksiam/eksiam/gen/iam"
	"github.com/eksiam/eksiam/sar"
	"github.com/eksiam/eksiam/schema"
)

// Request is one API call: an action, the resource it acts on, and the
// condition keys the request carries (aws:RequestTag/..., s3:prefix, ...).
type Request struct {
	Action   string
	Resource string
	Context  map[string][]string
}

// Env is what the evaluator needs beyond the model: the values of its
// references (the account, at least), and the documents of any managed
// policies the caller knows (by ARN); others are unknown.
type Env struct {
	Value   func(iam.Ref) string
	Managed map[string]iam.Document
}

// Result is how IAM would answer.
type Result string

// Results.
const (
	Allowed      Result = "allowed"
	ExplicitDeny Result = "explicitly denied"
	ImplicitDeny Result = "implicitly denied"
	// Unknown: no known statement decides, and managed policies whose
	// content is not known offline might.
	Unknown Result = "unknown"
)

// Match is a statement that took part in a decision.
type Match struct {
	// Policy names where the statement is: an inline or customer-managed
	// policy's name, "trust policy", "session policy", or a managed
	// policy's ARN.
	Policy string
	Sid    string
	Effect string
	// Pos is where the statement comes from in the spec (a preset's or
	// eksiam's own document: the ServiceAccount or setting that asked).
	Pos    schema.Pos
	Preset string
}

// Decision is the evaluator's answer, with the statement that decided it
// and what it could not know.
type Decision struct {
	Result Result
	// By is the deciding statement: the Deny, or an Allow; nil for an
	// implicit deny.
	By *Match
	// Limit says which further policy refused an identity policy's
	// Allow: "permissions boundary" or "session policy".
	Limit string
	// Unknown names the managed policies (and boundary) whose content
	// is not known offline and that could change the answer.
	Unknown []string
}

// statement is a model statement with its references resolved (policy
// variables stay, filled per request).
type statement struct {
	effect                  string
	principals              []string // Type:identifier
	actions, notActions     []string
	resources, notResources []string
	conditions              []condition
	match                   Match
}

// resolve turns a document's statements into evaluable ones.
func resolve(d iam.Document, policy string, value func(iam.Ref) string) []statement {
	var out []statement
	exprs := func(es []iam.Expr) []string { return iam.ResolveAll(es, value) }
	for _, s := range d.Statements {
		st := statement{
			effect: s.Effect, actions: s.Actions, notActions: s.NotActions,
			resources: exprs(s.Resources), notResources: exprs(s.NotResources),
			match: Match{Policy: policy, Sid: s.Sid, Effect: s.Effect, Pos: s.Pos, Preset: s.Preset},
		}
		for _, p := range s.Principals {
			for _, id := range exprs(p.Identifiers) {
				st.principals = append(st.principals, p.Type+":"+id)
			}
		}
		for _, c := range s.Conditions {
			st.conditions = append(st.conditions, condition{operator: c.Operator, key: c.Key.Resolve(value), values: exprs(c.Values)})
		}
		out = append(out, st)
	}
	return out
}

// matches reports whether a statement applies to a request: its action,
// resource (for identity policies) or principal (for trust policies),
// and every condition.
func (s statement) matches(principal string, req Request, vars func(string) (string, bool)) bool {
	if len(s.actions) > 0 && !actionIn(s.actions, req.Action) || len(s.notActions) > 0 && actionIn(s.notActions, req.Action) {
		return false
	}
	if len(s.actions)+len(s.notActions) == 0 {
		return false
	}
	if principal != "" {
		if !slices.ContainsFunc(s.principals, func(p string) bool { return principalMatches(p, principal) }) {
			return false
		}
	} else {
		if len(s.resources)+len(s.notResources) == 0 {
			return false
		}
		if len(s.resources) > 0 && !resourceIn(s.resources, req.Resource, vars) ||
			len(s.notResources) > 0 && resourceIn(s.notResources, req.Resource, vars) {
			return false
		}
	}
	for _, c := range s.conditions {
		if !c.holds(req.Context, vars) {
			return false
		}
	}
	return true
}

// actionIn reports whether a pattern of the list covers the action: IAM
// matches actions ignoring case, with * and ? wildcards.
func actionIn(patterns []string, action string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool {
		return sar.Glob(strings.ToLower(p), strings.ToLower(action))
	})
}

// resourceIn reports whether a resource pattern of the list, its policy
// variables filled, covers the resource (case-sensitively, as IAM matches
// ARNs).
func resourceIn(patterns []string, resource string, vars func(string) (string, bool)) bool {
	return slices.ContainsFunc(patterns, func(p string) bool {
		filled, ok := fill(p, vars, true)
		return ok && glob(filled, resource)
	})
}

// principalMatches compares a trust principal with the caller's: the
// type exactly, the identifier as written ("*" for anyone of the type).
func principalMatches(pattern, principal string) bool {
	pt, pid, _ := strings.Cut(pattern, ":")
	rt, rid, _ := strings.Cut(principal, ":")
	return pt == rt && (pid == "*" || pid == rid)
}

// decide evaluates statements in IAM's order: any matching Deny decides;
// else the first matching Allow.
func decide(sts []statement, principal string, req Request, vars func(string) (string, bool)) (Result, *Match) {
	var allow *Match
	for i := range sts {
		s := &sts[i]
		if !s.matches(principal, req, vars) {
			continue
		}
		if s.effect == "Deny" {
			m := s.match
			return ExplicitDeny, &m
		}
		if allow == nil {
			m := s.match
			allow = &m
		}
	}
	if allow != nil {
		return Allowed, allow
	}
	return ImplicitDeny, nil
}
