// Package lint reviews the policies a spec would produce, as the IAM model
// holds them, and reports what a careful reviewer would question: wildcard
// actions, writes on every resource, iam:PassRole on anything, NotAction
// and NotResource with Allow, account-wide Pod Identity trust, roles near
// or over IAM's limits, duplicate statements. Every finding is a warning
// with a rule id and the position of what the user wrote.
package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/eksiam/eksiam/gen/iam"
	"github.com/eksiam/eksiam/gen/internal/prose"
	"github.com/eksiam/eksiam/sar"
	"github.com/eksiam/eksiam/schema"
	"github.com/eksiam/eksiam/templates"
)

// Rules lists every rule id with what it reports, for documentation.
var Rules = []struct{ ID, Description string }{
	{"wildcard-action", "Allow of * or service:* actions"},
	{"write-on-any-resource", `a mutating action allowed on Resource "*" without a condition`},
	{"passrole-any", "iam:PassRole on * or a wildcard role ARN"},
	{"allow-not", "NotAction or NotResource with Allow, which grants everything else"},
	{"trust-account", "trust: account: any Pod Identity association in the account may assume the role"},
	{"iam-limits", "a role over, or near, IAM's limits: path, policy sizes, trust size, managed policies per role"},
	{"duplicate-statement", "a statement that repeats another of the same policy"},
	{"admin-policy", "an administrator-class managed policy (AdministratorAccess, PowerUserAccess, IAMFullAccess) on a pod role"},
	{"session-tag-variable", "a Pod Identity session tag (kubernetes-*, eks-cluster-*) used by a role that gets no session tags"},
	{"foreign-account-arn", "a managed policy or permissions boundary of another account, which fails only at apply"},
	{"preset-option-unused", "a presetOptions value no statement of the ServiceAccount's presets uses, as given (vpcIds without clusterScoped)"},
	{ruleUnknownAction, "an action that does not exist, or a wildcard that matches none"},
	{ruleNeverMatches, "a resource no action of its statement can act on, or an action none of its resources fits"},
	{ruleUnknownKey, "a condition key that is neither global nor any service's"},
}

// writes lists the actions an action pattern covers that change
// something (access level Write, Tagging or Permissions management in the
// Service Authorization Reference) and could be narrowed by a resource or
// a condition: logs:FilterLogEvents and
// ecr:BatchCheckLayerAvailability read, kms:Decrypt and sqs:DeleteMessage
// write. A pattern the reference does not know counts as a write of
// itself (unknown-action reports it).
func writes(pattern string) []string {
	acts := sar.Default().Expand(pattern)
	if len(acts) == 0 {
		return []string{pattern}
	}
	var out []string
	for _, a := range acts {
		// An action that takes no resource type and no condition key
		// (xray:PutTraceSegments) can be granted only on "*", unconditioned:
		// nothing to narrow, so nothing to report.
		if a.Access != 'R' && a.Access != 'L' && (len(a.Resources) > 0 || len(a.Keys) > 0) {
			out = append(out, a.FullName())
		}
	}
	return out
}

// matches reports whether an action pattern (IAM's * and ?) covers the
// action, ignoring case as IAM does.
func matches(pattern, action string) bool {
	return sar.Glob(strings.ToLower(pattern), strings.ToLower(action))
}

// Trust policy size limits (aws-facts.md, "Limits").
const (
	maxTrust     = 2048
	maxPath      = 512
	managedQuota = 10
)

// Model reviews the model; spec gives the positions of ServiceAccounts'
// trust settings.
func Model(m *iam.Model, spec *schema.Spec) schema.Diagnostics {
	var ds schema.Diagnostics
	for _, r := range m.Roles() {
		pos := m.PosOf(r)
		who := r.Who()
		for _, p := range r.InlinePolicies {
			statements(&ds, who, p.Document, pos)
		}
		for _, p := range r.CustomerPolicies {
			statements(&ds, who, p.Document, pos)
		}
		if r.Association != nil && r.Association.SessionPolicy != nil {
			duplicates(&ds, who+"'s session policy", *r.Association.SessionPolicy, pos)
		}
		limits(&ds, m, r, who, pos)
	}
	for _, nr := range spec.Nodes() {
		who := "the node role"
		if nr != &spec.NodeRole {
			who = "node role " + nr.Name.Value
		}
		foreignAccount(&ds, who, spec, nr.AdditionalPolicyARNs, "managed policy")
		foreignAccount(&ds, who, spec, []schema.Str{nr.PermissionsBoundary}, "permissions boundary")
		foreignTrustAnchor(&ds, who, spec, nr.Hybrid.TrustAnchorARN)
		if nr.Path.Value != "/" {
			ds.Notef(nr.Path.Pos, "node-role-path", "%s has the path %s: nodes join through an EKS access entry with it, but a cluster that maps node roles in the aws-auth ConfigMap needs the role's ARN without the path there, or its nodes fail to join", who, nr.Path.Value)
		}
	}
	for _, sa := range spec.ServiceAccounts {
		who := fmt.Sprintf("ServiceAccount %s/%s", sa.Namespace.Value, sa.Name.Value)
		reference(&ds, who, sa.Policy)
		reference(&ds, who+"'s session policy", sa.SessionPolicy)
		pinnedPresets(&ds, who, sa.Presets)
		unusedPresetOptions(&ds, who, sa)
		adminPolicies(&ds, who, sa.ManagedPolicyARNs)
		sessionTagVariables(&ds, who, sa)
		foreignAccount(&ds, who, spec, sa.ManagedPolicyARNs, "managed policy")
		foreignAccount(&ds, who, spec, []schema.Str{sa.PermissionsBoundary}, "permissions boundary")
		if sa.UsesPodIdentity() && sa.Trust.Value == schema.TrustAccount && sa.SessionTags.Value {
			at := sa.Trust.Pos
			ds.Finding(at, "trust-account", "ServiceAccount %s/%s: trust: account lets any Pod Identity association in the account assume the role; scoped trust limits it to this cluster, namespace and ServiceAccount",
				sa.Namespace.Value, sa.Name.Value)
		}
	}
	return ds.Sorted()
}

func statements(ds *schema.Diagnostics, who string, d iam.Document, rolePos schema.Pos) {
	for _, s := range d.Statements {
		pos := s.Pos
		if !pos.IsValid() {
			pos = rolePos
		}
		name := who
		if s.Sid != "" {
			name += " statement " + s.Sid
		}
		if s.Effect != "Allow" || s.Preset != "" {
			continue // built-in presets follow their add-on's own document
		}
		anyResource := false
		for _, r := range s.Resources {
			anyResource = anyResource || r.String() == "*"
		}
		for _, a := range s.Actions {
			passRole := matches(a, "iam:PassRole")
			switch {
			case a == "*" || strings.HasSuffix(a, ":*"):
				ds.Finding(pos, "wildcard-action", "%s allows %s; list the actions it needs", name, a)
			case anyResource && len(s.Conditions) == 0 && !passRole:
				w := writes(a)
				switch {
				case len(w) == 0:
				case len(w) == 1 && w[0] == a:
					ds.Finding(pos, "write-on-any-resource", "%s allows %s on every resource; name the resources or add a condition", name, a)
				default:
					ds.Finding(pos, "write-on-any-resource", "%s allows %s on every resource, which covers the writes %s; name the resources or add a condition", name, a, prose.Some(w, 4))
				}
			}
			if passRole {
				for _, r := range s.Resources {
					if v := r.String(); v == "*" || strings.HasSuffix(v, ":role/*") {
						ds.Finding(pos, "passrole-any", "%s allows iam:PassRole on %s, so it can hand any role to a service; name the roles", name, v)
					}
				}
			}
		}
		if len(s.NotActions) > 0 {
			ds.Finding(pos, "allow-not", "%s allows NotAction %s, which grants every other action", name, strings.Join(s.NotActions, ", "))
		}
		if len(s.NotResources) > 0 {
			ds.Finding(pos, "allow-not", "%s allows on NotResource, which grants every other resource", name)
		}
	}
	duplicates(ds, who, d, rolePos)
}

// duplicates reports statements that grant the same as an earlier one of
// the same document.
func duplicates(ds *schema.Diagnostics, who string, d iam.Document, rolePos schema.Pos) {
	seen := map[string]bool{}
	for _, s := range d.Statements {
		key := s
		key.Sid, key.Pos = "", schema.Pos{}
		k := iam.Document{Statements: []iam.Statement{key}}.JSON(iam.Expr.String)
		if seen[k] {
			pos := s.Pos
			if !pos.IsValid() {
				pos = rolePos
			}
			ds.Finding(pos, "duplicate-statement", "%s: this statement repeats an earlier one of the same policy", who)
		}
		seen[k] = true
	}
}

func limits(ds *schema.Diagnostics, m *iam.Model, r *iam.Role, who string, pos schema.Pos) {
	if len(r.Path) > maxPath {
		ds.Finding(pos, "iam-limits", "%s: path is %d characters; IAM allows %d", who, len(r.Path), maxPath)
	}
	if n := iam.DocumentSize(m, r.AssumeRolePolicy); n > maxTrust {
		ds.Finding(pos, "iam-limits", "%s: trust policy is %d characters; IAM allows %d unless the account's quota was raised (to 4,096)", who, n, maxTrust)
	}
	if len(r.CustomerPolicies) > 0 {
		ds.Finding(pos, "iam-limits", "%s: its statements pass the %d characters IAM allows a role's inline policies, so they go into %d customer-managed policies",
			who, iam.MaxInlinePolicies, len(r.CustomerPolicies))
	}
	if n := len(r.ManagedPolicyARNs) + len(r.CustomerPolicies); n > managedQuota && n <= iam.MaxManagedPerRole {
		ds.Finding(pos, "iam-limits", "%s has %d managed policies; IAM allows %d per role unless the account's quota was raised (to at most %d)",
			who, n, managedQuota, iam.MaxManagedPerRole)
	}
}

// Describe formats the rule list for --help texts.
func Describe() string {
	var b strings.Builder
	for _, r := range Rules {
		fmt.Fprintf(&b, "  %-22s %s\n", r.ID, r.Description)
	}
	return b.String()
}

// unusedPresetOptions warns of an option given a value other than its
// default that no statement of the ServiceAccount's presets uses with the
// options as given: the user meant it to scope something, and it does not.
func unusedPresetOptions(ds *schema.Diagnostics, who string, sa schema.ServiceAccount) {
	var presets []*templates.Preset
	var refs []string
	for _, ref := range sa.Presets {
		if p, ok := templates.Lookup(ref.Value); ok {
			presets, refs = append(presets, p), append(refs, ref.Value)
		}
	}
	given := map[string][]string{}
	for _, o := range sa.PresetOptions {
		for _, v := range o.Values {
			given[o.Name.Value] = append(given[o.Name.Value], v.Value)
		}
	}
	for _, o := range sa.PresetOptions {
		var users, neededBy []string
		used := false
		for i, p := range presets {
			opt, ok := p.Option(o.Name.Value)
			if !ok {
				continue
			}
			users = append(users, refs[i])
			values := func(name string) []string {
				if v, ok := given[name]; ok {
					return v
				}
				d, _ := p.Option(name)
				return d.Default
			}
			if slices.Equal(given[o.Name.Value], opt.Default) || p.Uses(o.Name.Value, values) {
				used = true
				break
			}
			for _, other := range p.Options {
				if slices.Contains(other.Needs, o.Name.Value) {
					neededBy = append(neededBy, other.Name)
				}
			}
		}
		if used || len(users) == 0 {
			continue
		}
		hint := ""
		if len(neededBy) > 0 {
			hint = fmt.Sprintf(" (it scopes what presetOptions.%s turns on)", strings.Join(neededBy, ", presetOptions."))
		}
		ds.Finding(o.Name.Pos, "preset-option-unused", "%s: presetOptions.%s has no effect with the other options as given%s: no statement of %s uses it",
			who, o.Name.Value, hint, strings.Join(users, ", "))
	}
}

// pinnedPresets notes presets pinned to an older version than the newest
// eksiam knows: information, not a warning (the pin may be deliberate).
func pinnedPresets(ds *schema.Diagnostics, who string, presets []schema.Str) {
	for _, ref := range presets {
		p, ok := templates.Lookup(ref.Value)
		if !ok || p.Pinned == "" || len(p.Versions) == 0 || p.Pinned == p.Versions[0].Name {
			continue
		}
		newest := p.Versions[0]
		ds.Notef(ref.Pos, "preset-version", "%s pins %s to %s; the newest policy eksiam knows is %s, for add-on %s (%s)",
			who, p.Name, p.Pinned, newest.Name, newest.Addons, newest.URL)
	}
}
