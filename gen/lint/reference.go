package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/eksiam/eksiam/sar"
	"github.com/eksiam/eksiam/schema"
)

// The rules that read AWS's Service Authorization Reference (package sar).
const (
	ruleUnknownAction   = "unknown-action"
	ruleNeverMatches    = "resource-never-matches"
	ruleUnknownKey      = "unknown-condition-key"
	referenceRulesAbout = "(from AWS's Service Authorization Reference)"
)

// RefStatement is a policy statement as the reference rules read it:
// its effect, and actions, resources and condition keys as written,
// placeholders and policy variables included.
type RefStatement struct {
	Effect                                             string
	Actions, NotActions, Resources, NotResources, Keys []string
}

// RefFinding is one finding of the reference rules: its rule, its message,
// and which element it is about (Field "actions", "notActions",
// "resources" or "keys", and the index there).
type RefFinding struct {
	Rule, Message string
	Field         string
	Index         int
}

// CheckReference applies the reference rules to one statement:
//   - unknown-action: an action (or NotAction) that names no action, or a
//     wildcard that covers none;
//   - resource-never-matches: a resource that no action of the statement
//     can act on (no ARN format of their resource types matches it, or
//     the actions take no resource type, so only "*" matches them), and an
//     action that none of the statement's resources fits;
//   - unknown-condition-key: a key that is neither global nor any
//     service's. Keys of web identity providers (an OIDC issuer's :sub)
//     are not judged: the reference cannot list every issuer.
//
// A statement is judged as a whole, not action by resource: one that
// lists bucket and object actions with a bucket and its objects is right.
func CheckReference(t *sar.Table, s RefStatement) []RefFinding {
	var out []RefFinding
	add := func(rule, field string, i int, format string, args ...any) {
		out = append(out, RefFinding{Rule: rule, Field: field, Index: i, Message: fmt.Sprintf(format, args...)})
	}
	expanded := make([][]*sar.Action, len(s.Actions))
	everything := false // an action pattern that may cover any service
	for _, list := range []struct {
		field    string
		patterns []string
	}{{"actions", s.Actions}, {"notActions", s.NotActions}} {
		field := list.field
		for i, p := range list.patterns {
			svc, _, hasColon := strings.Cut(p, ":")
			if !hasColon || strings.ContainsAny(svc, "*?") {
				if field == "actions" {
					everything = true
				}
				continue // "*" or a wildcard service: every service, nothing to judge
			}
			acts := t.Expand(p)
			if field == "actions" {
				expanded[i] = acts
			}
			if len(acts) > 0 {
				continue
			}
			if t.Service(svc) == nil {
				add(ruleUnknownAction, field, i, "%s: no AWS service has the prefix %s%s %s", p, svc, schema.Suggest(svc, t.Prefixes()), referenceRulesAbout)
				continue
			}
			what := "is no action of " + svc
			if strings.ContainsAny(p, "*?") {
				what = "matches no action of " + svc
			}
			var names []string
			for _, n := range t.Service(svc).ActionNames() {
				names = append(names, t.Service(svc).Prefix+":"+n)
			}
			add(ruleUnknownAction, field, i, "%s %s%s %s", p, what, schema.Suggest(p, names), referenceRulesAbout)
		}
	}
	nothing := "grants nothing"
	if s.Effect == "Deny" {
		nothing = "denies nothing"
	}
	if !everything && len(s.Resources) > 0 {
		var all []*sar.Action
		for _, acts := range expanded {
			all = append(all, acts...)
		}
		// A resource that fits none of the actions is reported where
		// others fit some (a statement partly right); where none fits any,
		// the actions' findings below say it once, with what would fit.
		fit := slices.ContainsFunc(s.Resources, func(r string) bool {
			return slices.ContainsFunc(all, func(a *sar.Action) bool { return a.MayApply(r) })
		})
		if len(all) > 0 && fit {
			for i, r := range s.Resources {
				if !slices.ContainsFunc(all, func(a *sar.Action) bool { return a.MayApply(r) }) {
					add(ruleNeverMatches, "resources", i, "resource %s matches no resource type of the statement's actions, so it %s there %s", r, nothing, referenceRulesAbout)
				}
			}
		}
		for i, acts := range expanded {
			if len(acts) == 0 {
				continue
			}
			fits := slices.ContainsFunc(acts, func(a *sar.Action) bool {
				return slices.ContainsFunc(s.Resources, a.MayApply)
			})
			if fits {
				continue
			}
			if len(acts) == 1 && len(acts[0].Resources) == 0 {
				add(ruleNeverMatches, "actions", i, `%s takes no resource type, so only "*" matches it; none of the statement's resources does %s`, s.Actions[i], referenceRulesAbout)
				continue
			}
			add(ruleNeverMatches, "actions", i, "%s acts on %s; none of the statement's resources is one %s", s.Actions[i], resourceTypes(acts), referenceRulesAbout)
		}
	}
	for i, k := range s.Keys {
		if sar.IsIdPKey(k) {
			continue
		}
		if _, ok := t.KnownKey(k); ok {
			continue
		}
		add(ruleUnknownKey, "keys", i, "condition key %s is not a global condition key nor one of any service%s %s", k, schema.Suggest(k, keyCandidates(t, k)), referenceRulesAbout)
	}
	return out
}

// resourceTypes names an action's resource types with their ARN formats,
// for messages: route53 hostedzone (arn:${Partition}:route53:::hostedzone/${Id}).
func resourceTypes(acts []*sar.Action) string {
	var out []string
	for _, a := range acts {
		for _, r := range a.Resources {
			s := r.Type.Name + " (" + strings.Join(r.Type.Formats, " or ") + ")"
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		if len(out) >= 3 {
			break
		}
	}
	return strings.Join(out, ", ")
}

// keyCandidates are the known keys to suggest for k, with a template
// (aws:PrincipalTag/${TagKey}) filled with what k has after its "/", so
// that aws:PrincipleTag/team suggests aws:PrincipalTag/team.
func keyCandidates(t *sar.Table, k string) []string {
	_, rest, hasSlash := strings.Cut(k, "/")
	var out []string
	for _, c := range t.Keys() {
		if i := strings.IndexAny(c, "$<"); i > 0 && hasSlash && strings.HasSuffix(c[:i], "/") {
			c = c[:i] + rest
		}
		out = append(out, c)
	}
	return out
}

// reference applies the reference rules to the statements the user wrote
// in the spec, each finding at the element it is about.
func reference(ds *schema.Diagnostics, who string, sts []schema.Statement) {
	t := sar.Default()
	for _, st := range sts {
		strs := func(ss []schema.Str) []string {
			out := make([]string, len(ss))
			for i, s := range ss {
				out[i] = s.Value
			}
			return out
		}
		var keys []schema.Str
		for _, c := range st.Conditions {
			keys = append(keys, c.Key)
		}
		elems := map[string][]schema.Str{"actions": st.Actions, "notActions": st.NotActions, "resources": st.Resources, "keys": keys}
		for _, f := range CheckReference(t, RefStatement{
			Effect:  st.Effect.Value,
			Actions: strs(st.Actions), NotActions: strs(st.NotActions), Resources: strs(st.Resources),
			NotResources: strs(st.NotResources), Keys: strs(keys),
		}) {
			pos := st.Pos
			if el := elems[f.Field]; f.Index < len(el) && el[f.Index].Pos.IsValid() {
				pos = el[f.Index].Pos
			}
			ds.Finding(pos, f.Rule, "%s: %s", who, f.Message)
		}
	}
}
