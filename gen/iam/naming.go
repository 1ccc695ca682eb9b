package iam

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

var templateRE = regexp.MustCompile(`\{([^{}]*)\}`)

// roleName renders a naming template. Project, environment, cluster and
// region stay references, so that the generated code builds the name from
// its variables; namespace and ServiceAccount are literal. A name longer
// than IAM's 64 characters is shortened to a readable prefix and a hash of
// the whole name, and is then literal.
func (b *builder) roleName(template, ns, sa string) (Expr, bool) {
	var parts []Expr
	last := 0
	for _, m := range templateRE.FindAllStringSubmatchIndex(template, -1) {
		parts = append(parts, Lit(template[last:m[0]]))
		switch template[m[2]:m[3]] {
		case "project":
			parts = append(parts, Refer(RefProject))
		case "environment":
			parts = append(parts, Refer(RefEnvironment))
		case "cluster":
			parts = append(parts, Refer(RefCluster))
		case "region":
			parts = append(parts, Refer(RefRegion))
		case "namespace":
			parts = append(parts, Lit(ns))
		case "serviceAccount":
			parts = append(parts, Lit(sa))
		}
		last = m[1]
	}
	parts = append(parts, Lit(template[last:]))
	name := Concat(parts...)
	full := name.Resolve(b.m.Value)
	if len(full) <= MaxRoleName {
		return name, false
	}
	return Lit(Shorten(full, MaxRoleName)), true
}

// Shorten fits name into max characters deterministically: a readable
// prefix, a hyphen and eight hex digits of the SHA-256 of the whole name.
func Shorten(name string, max int) string {
	if len(name) <= max {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	prefix := strings.TrimRight(name[:max-9], "-_.")
	return prefix + "-" + hex.EncodeToString(sum[:4])
}

// snakeID is the Terraform-style logical name of a ServiceAccount's
// resources: namespace__name with dots and hyphens as underscores, prefixed
// when it would start with a digit.
func snakeID(ns, sa string) string {
	id := strings.NewReplacer(".", "_", "-", "_").Replace(ns + "__" + sa)
	if id[0] >= '0' && id[0] <= '9' {
		id = "sa_" + id
	}
	return id
}

// pascal turns a DNS name into PascalCase: "orders-api.v2" -> "OrdersApiV2".
func pascal(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if r == '-' || r == '.' {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// checkIDs makes sure no two roles share a logical name in any format;
// adding a suffix silently would rename resources when the spec changes.
func (b *builder) checkIDs() {
	seen := map[string]*Role{}
	for _, r := range b.m.PodRoles {
		for _, key := range []string{"id:" + r.ID, "pascal:" + strings.ToLower(r.PascalID)} {
			if prev, ok := seen[key]; ok {
				b.diags.Errorf(r.Pos, "ServiceAccounts %s/%s and %s/%s map to the same resource names in the generated code; rename one of them",
					prev.Namespace, prev.ServiceAccount, r.Namespace, r.ServiceAccount)
				break
			}
			seen[key] = r
		}
		if len(r.PascalID) > 200 {
			r.PascalID = Shorten(r.PascalID, 200)
			r.PascalID = strings.ReplaceAll(r.PascalID, "-", "")
		}
	}
}

// checkNames makes sure role names are unique case-insensitively, as IAM
// requires within an account.
func (b *builder) checkNames() {
	seen := map[string]*Role{}
	for _, r := range b.m.Roles() {
		full := r.Name.Resolve(b.m.Value)
		key := strings.ToLower(full)
		if prev, ok := seen[key]; ok {
			pos := r.Pos
			if !pos.IsValid() {
				pos = prev.Pos
			}
			b.diags.Errorf(pos, "role name %q of %s clashes with %q of %s (IAM role names are unique ignoring case); change roleName or naming.podRole",
				full, describeRole(r), prev.Name.Resolve(b.m.Value), describeRole(prev))
			continue
		}
		seen[key] = r
	}
}

func describeRole(r *Role) string {
	if r.Kind == KindNode {
		return "the node role"
	}
	return "ServiceAccount " + r.Namespace + "/" + r.ServiceAccount
}

// variables computes the inputs names are built from and how long each may
// grow: every role name built from them must stay within 64 characters
// whatever values they take. Each variable may grow by the same amount g,
// the largest for which every built name still fits.
func (b *builder) variables() []Variable {
	refs := []Ref{RefProject, RefEnvironment, RefCluster}
	growth := -1
	for _, r := range b.m.Roles() {
		if r.Shortened || r.Explicit {
			continue
		}
		uses := 0
		for _, p := range r.Name {
			if p.Ref == RefProject || p.Ref == RefEnvironment || p.Ref == RefCluster {
				uses++
			}
		}
		if uses == 0 {
			continue
		}
		slack := (MaxRoleName - len(r.Name.Resolve(b.m.Value))) / uses
		if growth < 0 || slack < growth {
			growth = slack
		}
	}
	out := make([]Variable, 0, len(refs))
	for _, ref := range refs {
		v := Variable{Ref: ref, Default: b.m.Value(ref)}
		switch ref {
		case RefCluster:
			v.Pattern, v.MaxLength = `^[0-9A-Za-z][A-Za-z0-9_-]*$`, 100
			v.Description = "Name of the EKS cluster the roles and associations belong to."
		case RefProject:
			v.Pattern, v.MaxLength = `^[a-z0-9][a-z0-9-]*$`, 32
			v.Description = "Project name; part of the role names."
		case RefEnvironment:
			v.Pattern, v.MaxLength = `^[a-z0-9][a-z0-9-]*$`, 32
			v.Description = "Environment name; part of the role names."
		}
		if growth >= 0 && b.nameUses(ref) {
			v.MaxLength = min(v.MaxLength, len(v.Default)+growth)
		}
		out = append(out, v)
	}
	return out
}

// nameUses reports whether a role name is built from ref.
func (b *builder) nameUses(ref Ref) bool {
	for _, r := range b.m.Roles() {
		if r.Name.HasRef(ref) {
			return true
		}
	}
	return false
}

// VariableFor returns the model's variable for ref.
func (m *Model) VariableFor(ref Ref) (Variable, error) {
	for _, v := range m.Variables {
		if v.Ref == ref {
			return v, nil
		}
	}
	return Variable{}, fmt.Errorf("no variable for %s", ref)
}
