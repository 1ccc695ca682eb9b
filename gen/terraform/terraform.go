// Package terraform writes the IAM model as a Terraform module (SPEC §3):
// versions.tf, variables.tf, main.tf (locals and data sources), node.tf,
// pod_roles.tf and outputs.tf. It builds every file through the hclwrite
// AST and holds no policy logic: what to grant is decided in gen/iam.
package terraform

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/eksiam/eksiam/gen/iam"
	"github.com/eksiam/eksiam/gen/internal/parallel"
)

// Provider versions: the lowest hashicorp/aws that can carry the output.
const (
	providerBase        = "5.0"
	providerAssociation = "5.29" // aws_eks_pod_identity_association
	providerAccessEntry = "5.33" // aws_eks_access_entry, aws_eks_access_policy_association
	providerTargetRole  = "6.2"  // target_role_arn, disable_session_tags
)

// Emit renders the model as Terraform files under terraform/. It fails only
// on a bug.
//
// Each file is a sequence of chunks, blank lines between them: a role with
// everything attached to it, a variable, the lookups. Chunks are built,
// laid out and turned into bytes one at a time, on every core, so that
// memory stays flat and time grows linearly with the spec.
func Emit(m *iam.Model) ([]iam.File, error) {
	e := newEmitter(m)
	files := []fileChunks{
		{"versions.tf", []chunk{(*emitter).versions}},
		{"variables.tf", e.variableChunks()},
		{"main.tf", e.mainChunks()},
	}
	if len(m.NodeRoles) > 0 {
		files = append(files, fileChunks{"node.tf", e.nodeChunks()})
	}
	if len(m.PodRoles) > 0 {
		files = append(files, fileChunks{"pod_roles.tf", e.podRoleChunks()})
	}
	files = append(files, fileChunks{"outputs.tf", e.outputChunks()})

	out := make([]iam.File, 0, len(files))
	for _, f := range files {
		parts := parallel.Map(len(f.chunks), func(i int) []byte {
			hf := hclwrite.NewEmptyFile()
			f.chunks[i](newEmitter(m), hf.Body())
			return trimBlankEnd(fmtTokens(hf.BuildTokens(nil)))
		})
		size := 128
		for _, p := range parts {
			size += len(p) + 1
		}
		var b bytes.Buffer
		b.Grow(size)
		b.WriteString(iam.Header(m.SpecName) + "\n")
		for _, p := range parts {
			b.WriteByte('\n')
			b.Write(p)
		}
		out = append(out, iam.File{Path: "terraform/" + f.name, Data: b.Bytes()})
	}
	return out, nil
}

// emitter writes chunks of the model; each chunk has one of its own, with
// the arena its tokens come from.
type emitter struct {
	m *iam.Model
	arena
}

// newEmitter is an emitter of the model with an arena of its own, which
// knows the node role that iam.RefNodeRoleARN refers to.
func newEmitter(m *iam.Model) *emitter {
	e := &emitter{m: m}
	if r := m.PassedNodeRole(); r != nil {
		e.passedNodeRole = r.ID
	}
	return e
}

// chunk writes one run of blocks of a file.
type chunk func(*emitter, *hclwrite.Body)

// fileChunks is a file and the chunks it is made of, in order.
type fileChunks struct {
	name   string
	chunks []chunk
}

// trimBlankEnd leaves exactly one newline at the end of a file.
func trimBlankEnd(b []byte) []byte {
	return append([]byte(strings.TrimRight(string(b), "\n")), '\n')
}

// ProviderVersion is the lowest hashicorp/aws version the model needs.
func ProviderVersion(m *iam.Model) string {
	v := providerBase
	for _, r := range m.Associations() {
		v = providerAssociation
		if a := r.Association; a.TargetRoleARN != nil || !a.SessionTags {
			return providerTargetRole
		}
	}
	if len(m.AccessEntries()) > 0 {
		v = providerAccessEntry
	}
	return v
}

func (e *emitter) versions(body *hclwrite.Body) {
	tf := body.AppendNewBlock("terraform", nil).Body()
	tf.SetAttributeRaw("required_version", e.str(">= 1.5"))
	tf.AppendNewline()
	rp := tf.AppendNewBlock("required_providers", nil).Body()
	rp.SetAttributeRaw("aws", e.object(
		[]hclwrite.Tokens{{e.ident("source")}, {e.ident("version")}},
		[]hclwrite.Tokens{e.str("hashicorp/aws"), e.str(">= " + ProviderVersion(e.m))}))
}

// variableName is the Terraform variable of a naming reference.
func variableName(r iam.Ref) string {
	if r == iam.RefCluster {
		return "cluster_name"
	}
	return string(r)
}

// lookupOIDC reports whether the module must find the cluster's OIDC
// provider itself.
func (e *emitter) lookupOIDC() bool {
	return e.m.IRSA != nil && e.m.IRSA.Lookup
}

func (e *emitter) variableChunks() []chunk {
	var out []chunk
	for _, v := range e.m.Variables {
		out = append(out, func(e *emitter, body *hclwrite.Body) { e.variable(body, v) })
	}
	if e.lookupOIDC() {
		out = append(out, func(e *emitter, body *hclwrite.Body) {
			b := body.AppendNewBlock("variable", []string{"oidc_provider_arn"}).Body()
			b.SetAttributeRaw("description", e.str("ARN of the cluster's IAM OIDC provider, for the IRSA roles. Null: look it up from the cluster, which must then exist at plan time."))
			b.SetAttributeRaw("type", hclwrite.Tokens{e.ident("string")})
			b.SetAttributeRaw("default", hclwrite.Tokens{e.ident("null")})
		})
	}
	return out
}

func (e *emitter) variable(body *hclwrite.Body, v iam.Variable) {
	name := variableName(v.Ref)
	b := body.AppendNewBlock("variable", []string{name}).Body()
	b.SetAttributeRaw("description", e.str(v.Description))
	b.SetAttributeRaw("type", hclwrite.Tokens{e.ident("string")})
	b.SetAttributeRaw("default", e.str(v.Default))
	b.AppendNewline()
	val := b.AppendNewBlock("validation", nil).Body()
	// Tokens are laid out in place, so each use gets tokens of its own.
	cond := e.call("can",
		e.call("regex", e.str(v.Pattern), e.path("var", name)))
	cond = append(cond, e.op(hclsyntax.TokenAnd, "&&"))
	cond = append(cond, e.call("length", e.path("var", name))...)
	cond = append(cond, e.op(hclsyntax.TokenLessThanEq, "<="), e.op(hclsyntax.TokenNumberLit, fmt.Sprint(v.MaxLength)))
	val.SetAttributeRaw("condition", cond)
	val.SetAttributeRaw("error_message", e.str(validationMessage(name, v)))
}

func validationMessage(name string, v iam.Variable) string {
	what := "lowercase letters, digits and hyphens"
	if v.Ref == iam.RefCluster {
		what = "letters, digits, hyphens and underscores"
	}
	limit := fmt.Sprintf("at most %d characters", v.MaxLength)
	if v.MaxLength < 32 || (v.Ref == iam.RefCluster && v.MaxLength < 100) {
		limit += " so that the role names built from it stay within IAM's 64"
		if len(v.SharedWith) > 0 {
			var others []string
			for _, r := range v.SharedWith {
				others = append(others, strings.ReplaceAll(variableName(r), "_", " "))
			}
			limit += fmt.Sprintf(" (a name's spare characters are split evenly with the %s, each at most %d longer than its default)",
				strings.Join(others, " and the "), v.MaxLength-len(v.Default))
		}
	}
	return fmt.Sprintf("The %s must be %s, starting with a letter or digit, %s.", strings.ReplaceAll(name, "_", " "), what, limit)
}

func (e *emitter) mainChunks() []chunk {
	var out []chunk
	if e.m.Uses(iam.RefRegion) {
		out = append(out, func(e *emitter, body *hclwrite.Body) {
			e.comment(body, "The cluster's region, as the spec gives it. Configure the aws provider for it.")
			l := body.AppendNewBlock("locals", nil).Body()
			l.SetAttributeRaw("region", e.str(e.m.Cluster.Region))
		})
	}
	if e.m.Uses(iam.RefPartition) {
		out = append(out, func(e *emitter, body *hclwrite.Body) { e.emptyBlock(body, "data", "aws_partition", "current") })
	}
	if e.m.Uses(iam.RefAccount) {
		out = append(out, func(e *emitter, body *hclwrite.Body) { e.emptyBlock(body, "data", "aws_caller_identity", "current") })
	}
	if e.lookupOIDC() {
		out = append(out, (*emitter).oidcLookup)
	}
	if len(out) == 0 {
		out = append(out, func(e *emitter, body *hclwrite.Body) { e.comment(body, "Nothing here: the roles need no lookups.") })
	}
	return out
}

// oidcLookup finds the cluster's OIDC provider for the IRSA trusts, unless
// var.oidc_provider_arn names it. The lookup needs the cluster to exist at
// plan time.
func (e *emitter) oidcLookup(body *hclwrite.Body) {
	unset := func() hclwrite.Tokens {
		t := e.path("var", "oidc_provider_arn")
		t = append(t, e.op(hclsyntax.TokenEqualOp, "=="), e.op(hclsyntax.TokenIdent, "null"),
			e.op(hclsyntax.TokenQuestion, "?"), e.op(hclsyntax.TokenNumberLit, "1"),
			e.op(hclsyntax.TokenColon, ":"), e.op(hclsyntax.TokenNumberLit, "0"))
		return t
	}
	e.comment(body, "The cluster's IAM OIDC provider, for the IRSA trusts: var.oidc_provider_arn, or looked up from",
		"the cluster (which must then exist at plan time).")
	c := body.AppendNewBlock("data", []string{"aws_eks_cluster", "this"}).Body()
	c.SetAttributeRaw("count", unset())
	c.SetAttributeRaw("name", e.path("var", "cluster_name"))
	body.AppendNewline()
	p := body.AppendNewBlock("data", []string{"aws_iam_openid_connect_provider", "cluster"}).Body()
	p.SetAttributeRaw("count", unset())
	p.SetAttributeRaw("url", hclwrite.TokensForTraversal(hcl.Traversal{
		hcl.TraverseRoot{Name: "data"}, hcl.TraverseAttr{Name: "aws_eks_cluster"}, hcl.TraverseAttr{Name: "this"},
		hcl.TraverseIndex{Key: cty.NumberIntVal(0)}, hcl.TraverseAttr{Name: "identity"},
		hcl.TraverseIndex{Key: cty.NumberIntVal(0)}, hcl.TraverseAttr{Name: "oidc"},
		hcl.TraverseIndex{Key: cty.NumberIntVal(0)}, hcl.TraverseAttr{Name: "issuer"},
	}))
	body.AppendNewline()
	// one() of the splat is null when the lookup is skipped, so neither
	// branch indexes an empty list.
	splat := e.path("data", "aws_iam_openid_connect_provider", "cluster")
	splat = append(splat,
		&hclwrite.Token{Type: hclsyntax.TokenOBrack, Bytes: []byte("[")},
		&hclwrite.Token{Type: hclsyntax.TokenStar, Bytes: []byte("*")},
		&hclwrite.Token{Type: hclsyntax.TokenCBrack, Bytes: []byte("]")},
		&hclwrite.Token{Type: hclsyntax.TokenDot, Bytes: []byte(".")},
		&hclwrite.Token{Type: hclsyntax.TokenIdent, Bytes: []byte("arn")})
	l := body.AppendNewBlock("locals", nil).Body()
	l.SetAttributeRaw("oidc_provider_arn", e.call("coalesce",
		e.path("var", "oidc_provider_arn"), e.call("one", splat)))
	issuer := e.call("split", e.str("oidc-provider/"), e.path("local", "oidc_provider_arn"))
	issuer = append(issuer,
		&hclwrite.Token{Type: hclsyntax.TokenOBrack, Bytes: []byte("[")},
		&hclwrite.Token{Type: hclsyntax.TokenNumberLit, Bytes: []byte("1")},
		&hclwrite.Token{Type: hclsyntax.TokenCBrack, Bytes: []byte("]")})
	l.SetAttributeRaw("oidc_issuer", issuer)
}
