package iam

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/eksiam/eksiam/schema"
)

var templateRE = regexp.MustCompile(`\{([^{}]*)\}`)

// roleName renders a naming template. Project, environment, cluster and
// region stay references, so that the generated code builds the name from
// its variables; namespace, ServiceAccount and node role are literal. A name longer
// than IAM's 64 characters is shortened, and is then literal: what comes
// from {namespace} on ({namespace}-{serviceAccount}) stays whole, and the
// part before it is cut and followed by a hash of the whole name, so that
// the role still says whose it is (ShortenKeeping).
func (b *builder) roleName(template, ns, sa, node string) (Expr, bool) {
	var parts []Expr
	tailStart := -1 // the part where {namespace} or {serviceAccount} begins
	last := 0
	matches, ok := b.templates[template]
	if !ok {
		matches = templateRE.FindAllStringSubmatchIndex(template, -1)
		if b.templates == nil {
			b.templates = map[string][][]int{}
		}
		b.templates[template] = matches
	}
	for _, m := range matches {
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
		case "nodeRole":
			parts = append(parts, Lit(node))
		case "namespace", "serviceAccount":
			if tailStart < 0 {
				tailStart = len(parts)
			}
			if template[m[2]:m[3]] == "namespace" {
				parts = append(parts, Lit(ns))
			} else {
				parts = append(parts, Lit(sa))
			}
		}
		last = m[1]
	}
	parts = append(parts, Lit(template[last:]))
	name := Concat(parts...)
	full := name.Resolve(b.m.Value)
	if len(full) <= MaxRoleName {
		return name, false
	}
	if tailStart >= 0 {
		head := Concat(parts[:tailStart]...).Resolve(b.m.Value)
		return Lit(ShortenKeeping(head, full[len(head):], MaxRoleName)), true
	}
	return Lit(Shorten(full, MaxRoleName)), true
}

// minHead is the least of a name's head that ShortenKeeping keeps, so
// that the project stays recognizable.
const minHead = 4

// ShortenKeeping fits head+tail into max characters keeping the tail
// whole: the head is cut, and a hyphen and eight hex digits of the SHA-256
// of the whole name come between it and the tail:
// enterprise-platform-se-847f11db-ingestion-event-stream-processor. A tail
// too long for that is shortened with the rest, as Shorten does.
func ShortenKeeping(head, tail string, max int) string {
	full := head + tail
	if len(full) <= max {
		return full
	}
	tail = strings.TrimLeft(tail, "-_.")
	budget := max - len(tail) - 10 // "-" + 8 hex digits + "-"
	if budget < minHead {
		return Shorten(full, max)
	}
	sum := sha256.Sum256([]byte(full))
	h := strings.TrimRight(head[:min(len(head), budget)], "-_.")
	return h + "-" + hex.EncodeToString(sum[:4]) + "-" + tail
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
var snakeReplacer = strings.NewReplacer(".", "_", "-", "_")

func snakeID(ns, sa string) string {
	part := func(s string) string {
		s = snakeReplacer.Replace(s)
		for strings.Contains(s, "__") {
			s = strings.ReplaceAll(s, "__", "_")
		}
		return s
	}
	id := part(ns) + "__" + part(sa)
	if id[0] >= '0' && id[0] <= '9' {
		id = "sa_" + id
	}
	return id
}

// SnakeName turns a name into a snake_case identifier part with no double
// underscore: AmazonEKS_CNI_Policy -> amazon_eks_cni_policy, cni-ipv6 ->
// cni_ipv6, team/x.y -> team_x_y.
func SnakeName(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, c := range rs {
		switch {
		case unicode.IsUpper(c):
			prevLower := i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]))
			nextLower := i > 0 && i+1 < len(rs) && unicode.IsUpper(rs[i-1]) && unicode.IsLower(rs[i+1])
			if prevLower || nextLower {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(c))
		case c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c)):
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	out := b.String()
	for strings.Contains(out, "__") {
		out = strings.ReplaceAll(out, "__", "_")
	}
	out = strings.Trim(out, "_")
	if out == "" || unicode.IsDigit(rune(out[0])) {
		out = "p_" + out
	}
	return out
}

// AttachmentKey names a managed policy among a role's attachments: the
// policy's name for an AWS-managed policy, its path and name otherwise, in
// snake case. It depends on the ARN alone, so adding a policy never
// renames another's attachment.
func AttachmentKey(arn Expr) string {
	s := arn.String()
	_, rest, ok := strings.Cut(s, ":policy/")
	if !ok {
		rest = s[strings.LastIndexAny(s, "/:")+1:]
	}
	if strings.Contains(s, ":iam::aws:policy/") {
		rest = rest[strings.LastIndex(rest, "/")+1:]
	}
	return SnakeName(rest)
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
	for _, r := range b.m.Roles() {
		for _, key := range []string{"id:" + r.ID, "pascal:" + strings.ToLower(r.PascalID)} {
			if prev, ok := seen[key]; ok {
				if prev.Kind == KindPod && r.Kind == KindPod {
					b.diags.Errorf(r.Pos, "ServiceAccounts %s/%s and %s/%s map to the same resource names in the generated code; rename one of them",
						prev.Namespace, prev.ServiceAccount, r.Namespace, r.ServiceAccount)
				} else {
					b.diags.Errorf(b.pos(r), "%s and %s map to the same resource names in the generated code; rename one of them", prev.Who(), r.Who())
				}
				break
			}
			seen[key] = r
		}
		if len(r.PascalID) > 200 {
			r.PascalID = Shorten(r.PascalID, 200)
			r.PascalID = strings.ReplaceAll(r.PascalID, "-", "")
		}
	}
	for _, r := range b.m.Roles() {
		keys := map[string]Expr{}
		for _, arn := range r.ManagedPolicyARNs {
			k := AttachmentKey(arn)
			if prev, ok := keys[k]; ok {
				b.diags.Errorf(b.pos(r), "%s attaches two managed policies with the same name, %s and %s; eksiam names attachments after their policy, so keep one",
					r.Who(), prev, arn)
			}
			keys[k] = arn
		}
	}
}

func (b *builder) pos(r *Role) schema.Pos { return b.m.PosOf(r) }

// checkNames makes sure role names are unique case-insensitively, as IAM
// requires within an account.
func (b *builder) checkNames() {
	seen := map[string]*Role{}
	for _, r := range b.m.Roles() {
		full := r.Name.Resolve(b.m.Value)
		key := strings.ToLower(full)
		if prev, ok := seen[key]; ok {
			pos := b.pos(r)
			if !r.Pos.IsValid() && prev.Pos.IsValid() {
				pos = prev.Pos
			}
			hint := "change roleName or naming.podRole"
			if prev.Kind == KindNode || r.Kind == KindNode {
				hint = "change naming.nodeRole or naming.podRole"
			}
			b.diags.Errorf(pos, "role name %q of %s clashes with %q of %s (IAM role names are unique ignoring case); %s",
				full, r.Who(), prev.Name.Resolve(b.m.Value), prev.Who(), hint)
			continue
		}
		seen[key] = r
	}
}

// variables computes the inputs names are built from and how long each may
// grow: every role name built from them must stay within 64 characters
// whatever values they take. A name with slack s built from k variable
// parts lets each of them grow by s/k; a variable may grow by the least
// any of its names allows. This is sound for every combination of values.
func (b *builder) variables() []Variable {
	refs := []Ref{RefProject, RefEnvironment, RefCluster}
	growth := map[Ref]int{}
	shared := map[Ref][]Ref{} // the other variables in the name that sets the growth
	for _, r := range b.m.Roles() {
		if r.Shortened || r.Explicit {
			continue
		}
		uses := 0
		for _, p := range r.Name {
			if slices.Contains(refs, p.Ref) {
				uses++
			}
		}
		if uses == 0 {
			continue
		}
		share := (MaxRoleName - len(r.Name.Resolve(b.m.Value))) / uses
		for _, p := range r.Name {
			if g, ok := growth[p.Ref]; slices.Contains(refs, p.Ref) && (!ok || share < g) {
				growth[p.Ref] = share
				shared[p.Ref] = nil
				for _, q := range r.Name {
					if q.Ref != p.Ref && slices.Contains(refs, q.Ref) && !slices.Contains(shared[p.Ref], q.Ref) {
						shared[p.Ref] = append(shared[p.Ref], q.Ref)
					}
				}
			}
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
		if g, ok := growth[ref]; ok && len(v.Default)+g < v.MaxLength {
			v.MaxLength = len(v.Default) + g
			v.SharedWith = shared[ref]
		}
		out = append(out, v)
	}
	return out
}
