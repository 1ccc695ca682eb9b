package templates

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/eksiam/eksiam/sar"
)

// The call lists under testdata/calls/<preset>.json record, per preset,
// the AWS API calls its add-on makes in normal operation: the action, the
// resource, the condition keys the request carries, and where in the
// add-on's code or docs the call is made. Each call may name variants of
// itself out of scope (another zone, bucket, cluster's resource) that the
// policy must refuse. TestPresetCallLists evaluates every call against
// the preset's policy, expanded with the list's options, for one fixed
// environment.

// callEnv is the environment the call lists are written for.
var callEnv = map[string]string{
	"${partition}": "aws",
	"${region}":    "us-east-1",
	"${account}":   "111122223333",
	"${cluster}":   "demo",
}

type callList struct {
	Preset  string              `json:"preset"`
	Options map[string][]string `json:"options"`
	Calls   []call              `json:"calls"`
}

type call struct {
	Action   string              `json:"action"`
	Resource string              `json:"resource"`
	Context  map[string][]string `json:"context"`
	Source   string              `json:"source"`
	Note     string              `json:"note"`
	// Unscoped says why the policy deliberately allows the call on any
	// resource of its type, so it has no denied variant.
	Unscoped string `json:"unscoped"`
	// Denied are variants of the call out of scope: each replaces the
	// resource, or the whole context, or both.
	Denied []struct {
		Resource string              `json:"resource"`
		Context  map[string][]string `json:"context"`
		Why      string              `json:"why"`
	} `json:"denied"`
}

// unrelatedResource is a resource no preset scopes to: a call the policy
// also allows on it is not scoped, so it needs no denied variant.
const unrelatedResource = "arn:aws:unrelated:us-west-2:999999999999:thing/other"

func TestPresetCallLists(t *testing.T) {
	ps, err := Presets()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		path := filepath.Join("testdata", "calls", p.Name+".json")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: no call list (%s)", p.Name, path)
			continue
		}
		var list callList
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&list); err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if list.Preset != p.Name || len(list.Calls) == 0 {
			t.Errorf("%s: names preset %q and %d calls", path, list.Preset, len(list.Calls))
			continue
		}
		for name := range list.Options {
			if _, ok := p.Option(name); !ok {
				t.Errorf("%s: option %s is not one of the preset's", path, name)
			}
		}
		policy := presetPolicy(t, p, list.Options)
		for _, c := range list.Calls {
			what := c.Action + " on " + c.Resource
			if !strings.HasPrefix(c.Source, "https://") {
				t.Errorf("%s: %s: give the source of the call (https://...)", p.Name, what)
			}
			if !policy.allows(c.Action, c.Resource, c.Context) {
				t.Errorf("%s: the add-on calls %s (%s), which the policy refuses", p.Name, what, c.Source)
			}
			// A call is scoped when the policy refuses it on an unrelated
			// resource or without the condition keys it carries.
			scoped := !policy.allows(c.Action, unrelatedResource, c.Context) || !policy.allows(c.Action, c.Resource, nil)
			if scoped && len(c.Denied) == 0 && c.Unscoped == "" {
				t.Errorf("%s: %s: a scoped call needs a denied variant, or the reason it is unscoped", p.Name, what)
			}

			for _, d := range c.Denied {
				res, ctx := c.Resource, c.Context
				if d.Resource != "" {
					res = d.Resource
				}
				if d.Context != nil {
					ctx = d.Context
				}
				if d.Why == "" {
					t.Errorf("%s: %s: say why the variant must be denied", p.Name, what)
				}
				if policy.allows(c.Action, res, ctx) {
					t.Errorf("%s: %s on %s (%s) is allowed; it must not be", p.Name, c.Action, res, d.Why)
				}
			}
		}
	}
}

// presetPolicy expands a preset with the options (their defaults where not
// given) for callEnv, with the statements of the AWS-managed policies it
// attaches, from their upstream copies.
func presetPolicy(t *testing.T, p *Preset, options map[string][]string) evalPolicy {
	t.Helper()
	values := func(name string) []string {
		if v, ok := options[name]; ok {
			return v
		}
		o, _ := p.Option(name)
		if slices.Contains(o.Default, NodeRoleARN) {
			return nil
		}
		return o.Default
	}
	fill := func(ss []string) []string {
		out := make([]string, len(ss))
		for i, s := range ss {
			for k, v := range callEnv {
				s = strings.ReplaceAll(s, k, v)
			}
			out[i] = s
		}
		return out
	}
	var pol evalPolicy
	for _, s := range p.Expand(values) {
		e := Statement{Effect: s.Effect, Actions: s.Actions, NotActions: s.NotActions,
			Resources: fill(s.Resources), NotResources: fill(s.NotResources)}
		for _, c := range s.Conditions {
			key := fill([]string{c.Key})[0]
			e.Conditions = append(e.Conditions, Condition{Operator: c.Operator, Key: key, Values: fill(c.Values)})
		}
		pol = append(pol, e)
	}
	if len(p.ManagedPolicies) > 0 {
		pol = append(pol, managedStatements(t, p)...)
	}
	return pol
}

// managedStatements reads the AWS-managed policies a preset attaches from
// its upstream copies (testdata/upstream/<preset>/policy*.json).
func managedStatements(t *testing.T, p *Preset) evalPolicy {
	t.Helper()
	docs, _ := filepath.Glob(filepath.Join("testdata", "upstream", p.Name, "policy*.json"))
	var out evalPolicy
	found := map[string]bool{}
	for _, path := range docs {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var doc upstreamDocument
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, m := range doc.ManagedPolicies {
			if !slices.Contains(p.ManagedPolicies, m.Name) {
				continue
			}
			found[m.Name] = true
			for _, s := range m.Document.Statement {
				e := Statement{Effect: s.Effect,
					Actions: scalars(s.Action), NotActions: scalars(s.NotAction),
					Resources: scalars(s.Resource), NotResources: scalars(s.NotResource)}
				for op, keys := range s.Condition {
					for k, v := range keys {
						e.Conditions = append(e.Conditions, Condition{Operator: op, Key: k, Values: scalars(v)})
					}
				}
				out = append(out, e)
			}
		}
	}
	for _, m := range p.ManagedPolicies {
		if !found[m] {
			t.Errorf("%s: no upstream copy of the managed policy %s to evaluate calls against", p.Name, m)
		}
	}
	return out
}

// scalars reads a policy element that is one value or a list, strings,
// booleans or numbers, as strings.
func scalars(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var many []any
	if json.Unmarshal(raw, &many) != nil {
		var one any
		json.Unmarshal(raw, &one)
		many = []any{one}
	}
	out := make([]string, len(many))
	for i, v := range many {
		out[i] = fmt.Sprint(v)
	}
	return out
}

// evalPolicy is an identity policy with its placeholders filled in. It
// evaluates a request the way IAM does for one identity policy in one
// account, for the operators presets use: an explicit Deny wins, then any
// Allow whose action, resource and every condition match.
type evalPolicy []Statement

func (pol evalPolicy) allows(action, resource string, ctx map[string][]string) bool {
	allowed := false
	for _, s := range pol {
		if !s.matches(action, resource, ctx) {
			continue
		}
		if s.Effect == "Deny" {
			return false
		}
		allowed = true
	}
	return allowed
}

func (s Statement) matches(action, resource string, ctx map[string][]string) bool {
	if len(s.Actions)+len(s.NotActions) == 0 || len(s.Resources)+len(s.NotResources) == 0 {
		return false
	}
	if len(s.Actions) > 0 && !covers(s.Actions, action) || len(s.NotActions) > 0 && covers(s.NotActions, action) {
		return false
	}
	if len(s.Resources) > 0 && !slices.ContainsFunc(s.Resources, func(p string) bool { return sar.Glob(p, resource) }) ||
		len(s.NotResources) > 0 && slices.ContainsFunc(s.NotResources, func(p string) bool { return sar.Glob(p, resource) }) {
		return false
	}
	for _, c := range s.Conditions {
		if !c.holds(ctx) {
			return false
		}
	}
	return true
}

// holds evaluates one condition against the request's context. Keys match
// case-insensitively; a missing key fails every operator but Null and the
// IfExists and ForAllValues forms.
func (c Condition) holds(ctx map[string][]string) bool {
	var got []string
	present := false
	for k, v := range ctx {
		if strings.EqualFold(k, c.Key) {
			got, present = v, true
		}
	}
	op := c.Operator
	set := ""
	if rest, ok := strings.CutPrefix(op, "ForAllValues:"); ok {
		set, op = "all", rest
	} else if rest, ok := strings.CutPrefix(op, "ForAnyValue:"); ok {
		set, op = "any", rest
	}
	ifExists := false
	if rest, ok := strings.CutSuffix(op, "IfExists"); ok {
		op, ifExists = rest, true
	}
	if !slices.Contains([]string{"StringEquals", "StringLike", "ArnEquals", "ArnLike", "Bool", "Null"}, op) {
		panic("call lists: operator " + c.Operator + " is not evaluated; teach Condition.holds it")
	}
	if op == "Null" {
		return slices.ContainsFunc(c.Values, func(v string) bool { return strings.EqualFold(v, "true") }) == !present
	}
	if !present {
		return ifExists || set == "all"
	}
	match := func(v string) bool {
		return slices.ContainsFunc(c.Values, func(want string) bool { return compare(op, want, v) })
	}
	switch set {
	case "all":
		return !slices.ContainsFunc(got, func(v string) bool { return !match(v) })
	default:
		return slices.ContainsFunc(got, match)
	}
}

// compare applies one operator to a policy value and a request value.
func compare(op, want, got string) bool {
	switch op {
	case "StringEquals":
		return want == got
	case "Bool":
		return strings.EqualFold(want, got)
	case "StringLike":
		return sar.Glob(want, got)
	}
	// ArnEquals and ArnLike both take wildcards, matched within each of
	// the ARN's six colon-separated parts.
	w, g := strings.SplitN(want, ":", 6), strings.SplitN(got, ":", 6)
	if len(w) != len(g) {
		return false
	}
	for i := range w {
		if !sar.Glob(w[i], g[i]) {
			return false
		}
	}
	return true
}
