package terraform

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/eksiam/eksiam/gen/iam"
)

// traversal is the Terraform expression each reference becomes (SPEC §1).
func traversal(r iam.Ref) hcl.Traversal {
	switch r {
	case iam.RefPartition:
		return path("data", "aws_partition", "current", "partition")
	case iam.RefRegion:
		return path("local", "region")
	case iam.RefAccount:
		return path("data", "aws_caller_identity", "current", "account_id")
	case iam.RefCluster:
		return path("var", "cluster_name")
	case iam.RefProject:
		return path("var", "project")
	case iam.RefEnvironment:
		return path("var", "environment")
	case iam.RefOIDCProviderARN:
		return path("local", "oidc_provider_arn")
	case iam.RefOIDCIssuer:
		return path("local", "oidc_issuer")
	}
	panic("terraform: no expression for reference " + string(r))
}

func path(root string, attrs ...string) hcl.Traversal {
	t := hcl.Traversal{hcl.TraverseRoot{Name: root}}
	for _, a := range attrs {
		t = append(t, hcl.TraverseAttr{Name: a})
	}
	return t
}

func ref(root string, attrs ...string) hclwrite.Tokens {
	return hclwrite.TokensForTraversal(path(root, attrs...))
}

// str is a quoted string literal, escaped as HCL requires: quotes,
// backslashes and control characters, and ${ and %{ doubled so that they
// stay literal text (IAM policy variables reach AWS unchanged).
func str(s string) hclwrite.Tokens {
	toks := hclwrite.Tokens{{Type: hclsyntax.TokenOQuote, Bytes: []byte(`"`)}}
	if s != "" {
		toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenQuotedLit, Bytes: escapeLit(s)})
	}
	return append(toks, &hclwrite.Token{Type: hclsyntax.TokenCQuote, Bytes: []byte(`"`)})
}

func escapeLit(s string) []byte {
	b := make([]byte, 0, len(s)+2)
	for i, r := range s {
		switch {
		case r == '"':
			b = append(b, '\\', '"')
		case r == '\\':
			b = append(b, '\\', '\\')
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case (r == '$' || r == '%') && i+1 < len(s) && s[i+1] == '{':
			b = append(b, byte(r), byte(r))
		case r < 0x20 || r == 0x7f || !unicode.IsPrint(r):
			if r <= 0xffff {
				b = fmt.Appendf(b, "\\u%04x", r)
			} else {
				b = fmt.Appendf(b, "\\U%08x", r)
			}
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return b
}

// expr renders an Expr: a plain string when literal (hclwrite escapes ${ and
// %{, so IAM policy variables reach AWS unchanged), a bare reference when it
// is one reference, else a template whose literal parts are escaped.
func expr(e iam.Expr) hclwrite.Tokens {
	if s, ok := e.Literal(); ok {
		return str(s)
	}
	if len(e) == 1 {
		return hclwrite.TokensForTraversal(traversal(e[0].Ref))
	}
	toks := hclwrite.Tokens{{Type: hclsyntax.TokenOQuote, Bytes: []byte(`"`)}}
	for i, p := range e {
		if p.Ref == "" {
			text := p.Text
			// A literal $ right before an interpolation would read as the
			// escape $${: write that $ as an interpolated "$" instead.
			dollar := strings.HasSuffix(text, "$") && i+1 < len(e)
			text = strings.TrimSuffix(text, "$")
			if !dollar {
				text = p.Text
			}
			quoted := str(text)
			toks = append(toks, quoted[1:len(quoted)-1]...)
			if dollar {
				toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenTemplateInterp, Bytes: []byte("${")})
				toks = append(toks, str("$")...)
				toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenTemplateSeqEnd, Bytes: []byte("}")})
			}
			continue
		}
		toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenTemplateInterp, Bytes: []byte("${")})
		toks = append(toks, hclwrite.TokensForTraversal(traversal(p.Ref))...)
		toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenTemplateSeqEnd, Bytes: []byte("}")})
	}
	return append(toks, &hclwrite.Token{Type: hclsyntax.TokenCQuote, Bytes: []byte(`"`)})
}

// list renders a tuple, on one line when short and one element per line
// otherwise, as a person would lay it out.
func list(elems []hclwrite.Tokens) hclwrite.Tokens {
	width := 0
	for _, e := range elems {
		width += len(e.Bytes()) + 2
	}
	if len(elems) <= 1 || width <= 70 {
		return hclwrite.TokensForTuple(elems)
	}
	toks := hclwrite.Tokens{
		{Type: hclsyntax.TokenOBrack, Bytes: []byte("[")},
		{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")},
	}
	for _, e := range elems {
		toks = append(toks, e...)
		toks = append(toks,
			&hclwrite.Token{Type: hclsyntax.TokenComma, Bytes: []byte(",")},
			&hclwrite.Token{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")})
	}
	return append(toks, &hclwrite.Token{Type: hclsyntax.TokenCBrack, Bytes: []byte("]")})
}

func exprList(es []iam.Expr) hclwrite.Tokens {
	elems := make([]hclwrite.Tokens, len(es))
	for i, e := range es {
		elems[i] = expr(e)
	}
	return list(elems)
}

func strList(ss []string) hclwrite.Tokens {
	elems := make([]hclwrite.Tokens, len(ss))
	for i, s := range ss {
		elems[i] = str(s)
	}
	return list(elems)
}

// hclKeywords would not read as object keys when written bare.
var hclKeywords = []string{"for", "in", "if", "else", "endif", "endfor", "true", "false", "null"}

// tags renders a map of tags, keys quoted where they are not plain
// identifiers.
func tags(ts []iam.Tag) hclwrite.Tokens {
	attrs := make([]hclwrite.ObjectAttrTokens, len(ts))
	for i, t := range ts {
		name := hclwrite.TokensForIdentifier(t.Key)
		if !hclsyntax.ValidIdentifier(t.Key) || slices.Contains(hclKeywords, t.Key) {
			name = str(t.Key)
		}
		attrs[i] = hclwrite.ObjectAttrTokens{Name: name, Value: str(t.Value)}
	}
	return hclwrite.TokensForObject(attrs)
}

func comment(body *hclwrite.Body, lines ...string) {
	for _, l := range lines {
		body.AppendUnstructuredTokens(hclwrite.Tokens{
			{Type: hclsyntax.TokenComment, Bytes: []byte("# " + l + "\n")},
		})
	}
}

// op is one token; fmtTokens lays out the spaces around it.
func op(typ hclsyntax.TokenType, s string) *hclwrite.Token {
	return &hclwrite.Token{Type: typ, Bytes: []byte(s)}
}

// emptyBlock writes a block with no body on one line, as people write
// data sources that take no arguments: data "aws_partition" "current" {}.
func emptyBlock(body *hclwrite.Body, typ string, labels ...string) {
	toks := hclwrite.Tokens{{Type: hclsyntax.TokenIdent, Bytes: []byte(typ)}}
	for _, l := range labels {
		toks = append(toks, str(l)...)
	}
	toks = append(toks,
		op(hclsyntax.TokenOBrace, "{"),
		&hclwrite.Token{Type: hclsyntax.TokenCBrace, Bytes: []byte("}")},
		&hclwrite.Token{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")})
	body.AppendUnstructuredTokens(toks)
}
