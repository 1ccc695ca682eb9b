package terraform

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/eksiam/eksiam/gen/iam"
)

// Static token text, shared by every token that spells it: fmtTokens sets
// spaces on the tokens, never their bytes.
var (
	textOQuote = []byte(`"`)
	textCQuote = []byte(`"`)
	textInterp = []byte("${")
	textEnd    = []byte("}")
	textOBrack = []byte("[")
	textCBrack = []byte("]")
	textOBrace = []byte("{")
	textOParen = []byte("(")
	textCParen = []byte(")")
	textCBrace = []byte("}")
	textComma  = []byte(",")
	textDot    = []byte(".")
	textEqual  = []byte("=")
	textNL     = []byte("\n")
)

// arena hands out the tokens of one chunk from slabs, and their text from
// one growing buffer, so that a chunk's hundreds of tokens cost a handful
// of allocations instead of two each. Each chunk has its own; tokens are
// never shared between two places, since fmtTokens sets their spaces.
type arena struct {
	slab []hclwrite.Token
	text []byte
	// passedNodeRole is the id of the node role iam.RefNodeRoleARN
	// refers to.
	passedNodeRole string
}

// Slabs and text buffers start small, since most chunks are (an output, a
// variable), and double up to a limit.
const (
	firstSlab, lastSlab = 16, 512
	firstText, lastText = 256, 8192
)

func (a *arena) tok(typ hclsyntax.TokenType, text []byte) *hclwrite.Token {
	if len(a.slab) == cap(a.slab) {
		a.slab = make([]hclwrite.Token, 0, min(max(firstSlab, 2*cap(a.slab)), lastSlab))
	}
	a.slab = append(a.slab, hclwrite.Token{Type: typ, Bytes: text})
	return &a.slab[len(a.slab)-1]
}

// bytes copies s into the arena's text buffer.
func (a *arena) bytes(s string) []byte {
	a.reserve(len(s))
	start := len(a.text)
	a.text = append(a.text, s...)
	return a.text[start:len(a.text):len(a.text)]
}

// reserve makes room for n more bytes of text.
func (a *arena) reserve(n int) {
	if cap(a.text)-len(a.text) < n {
		a.text = make([]byte, 0, max(n, min(max(firstText, 2*cap(a.text)), lastText)))
	}
}

// ident is an identifier token.
func (a *arena) ident(name string) *hclwrite.Token {
	return a.tok(hclsyntax.TokenIdent, a.bytes(name))
}

// path is a traversal: root.attr.attr...
func (a *arena) path(root string, attrs ...string) hclwrite.Tokens {
	toks := make(hclwrite.Tokens, 0, 1+2*len(attrs))
	toks = append(toks, a.ident(root))
	for _, at := range attrs {
		toks = append(toks, a.tok(hclsyntax.TokenDot, textDot), a.ident(at))
	}
	return toks
}

// traversal is the Terraform expression each reference becomes (SPEC §1).
func (a *arena) traversal(r iam.Ref) hclwrite.Tokens {
	switch r {
	case iam.RefPartition:
		return a.path("data", "aws_partition", "current", "partition")
	case iam.RefRegion:
		return a.path("local", "region")
	case iam.RefAccount:
		return a.path("data", "aws_caller_identity", "current", "account_id")
	case iam.RefCluster:
		return a.path("var", "cluster_name")
	case iam.RefProject:
		return a.path("var", "project")
	case iam.RefEnvironment:
		return a.path("var", "environment")
	case iam.RefOIDCProviderARN:
		return a.path("local", "oidc_provider_arn")
	case iam.RefOIDCIssuer:
		return a.path("local", "oidc_issuer")
	case iam.RefNodeRoleARN:
		return a.path("aws_iam_role", a.passedNodeRole, "arn")
	}
	panic("terraform: no expression for reference " + string(r))
}

// str is a quoted string literal, escaped as HCL requires: quotes,
// backslashes and control characters, and ${ and %{ doubled so that they
// stay literal text (IAM policy variables reach AWS unchanged).
func (a *arena) str(s string) hclwrite.Tokens {
	if s == "" {
		return hclwrite.Tokens{a.tok(hclsyntax.TokenOQuote, textOQuote), a.tok(hclsyntax.TokenCQuote, textCQuote)}
	}
	return hclwrite.Tokens{a.tok(hclsyntax.TokenOQuote, textOQuote), a.lit(s), a.tok(hclsyntax.TokenCQuote, textCQuote)}
}

// lit is the escaped body of a quoted string. The room reserved fits the
// usual text; where escapes need more, append moves the buffer on, and the
// text handed out before keeps the old one.
func (a *arena) lit(s string) *hclwrite.Token {
	a.reserve(len(s) + 16)
	start := len(a.text)
	a.text = appendEscaped(a.text, s)
	return a.tok(hclsyntax.TokenQuotedLit, a.text[start:len(a.text):len(a.text)])
}

func appendEscaped(b []byte, s string) []byte {
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
		case r < utf8.RuneSelf && r >= 0x20 && r != 0x7f:
			b = append(b, byte(r))
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

// expr renders an Expr: a plain string when literal (escaped, so IAM
// policy variables reach AWS unchanged), a bare reference when it is one
// reference, else a template whose literal parts are escaped.
func (a *arena) expr(e iam.Expr) hclwrite.Tokens {
	if s, ok := e.Literal(); ok {
		return a.str(s)
	}
	if len(e) == 1 {
		return a.traversal(e[0].Ref)
	}
	toks := hclwrite.Tokens{a.tok(hclsyntax.TokenOQuote, textOQuote)}
	for i, p := range e {
		if p.Ref == "" {
			// Literal $s right before an interpolation would read as the
			// escape $${: write that run of $ as an interpolated string
			// ("$", "$$", ...) instead, where no { follows them.
			text, dollars := p.Text, ""
			if i+1 < len(e) {
				text = strings.TrimRight(p.Text, "$")
				dollars = p.Text[len(text):]
			}
			if text != "" {
				toks = append(toks, a.lit(text))
			}
			if dollars != "" {
				toks = append(toks, a.tok(hclsyntax.TokenTemplateInterp, textInterp),
					a.tok(hclsyntax.TokenOQuote, textOQuote), a.lit(dollars), a.tok(hclsyntax.TokenCQuote, textCQuote),
					a.tok(hclsyntax.TokenTemplateSeqEnd, textEnd))
			}
			continue
		}
		toks = append(toks, a.tok(hclsyntax.TokenTemplateInterp, textInterp))
		toks = append(toks, a.traversal(p.Ref)...)
		toks = append(toks, a.tok(hclsyntax.TokenTemplateSeqEnd, textEnd))
	}
	return append(toks, a.tok(hclsyntax.TokenCQuote, textCQuote))
}

// list renders a tuple, on one line when short and one element per line
// otherwise, as a person would lay it out.
func (a *arena) list(elems []hclwrite.Tokens) hclwrite.Tokens {
	width, n := 0, 2
	for _, e := range elems {
		for _, t := range e {
			width += len(t.Bytes)
		}
		width += 2
		n += len(e) + 2
	}
	toks := make(hclwrite.Tokens, 0, n)
	toks = append(toks, a.tok(hclsyntax.TokenOBrack, textOBrack))
	oneLine := len(elems) <= 1 || width <= 70
	if !oneLine {
		toks = append(toks, a.tok(hclsyntax.TokenNewline, textNL))
	}
	for i, e := range elems {
		if oneLine && i > 0 {
			toks = append(toks, a.tok(hclsyntax.TokenComma, textComma))
		}
		toks = append(toks, e...)
		if !oneLine {
			toks = append(toks, a.tok(hclsyntax.TokenComma, textComma), a.tok(hclsyntax.TokenNewline, textNL))
		}
	}
	return append(toks, a.tok(hclsyntax.TokenCBrack, textCBrack))
}

func (a *arena) exprList(es []iam.Expr) hclwrite.Tokens {
	elems := make([]hclwrite.Tokens, len(es))
	for i, e := range es {
		elems[i] = a.expr(e)
	}
	return a.list(elems)
}

func (a *arena) strList(ss []string) hclwrite.Tokens {
	elems := make([]hclwrite.Tokens, len(ss))
	for i, s := range ss {
		elems[i] = a.str(s)
	}
	return a.list(elems)
}

// hclKeywords would not read as object keys when written bare.
var hclKeywords = []string{"for", "in", "if", "else", "endif", "endfor", "true", "false", "null"}

// tags renders a map of tags, one per line, keys quoted where they are not
// plain identifiers.
func (a *arena) tags(ts []iam.Tag) hclwrite.Tokens {
	keys := make([]hclwrite.Tokens, len(ts))
	values := make([]hclwrite.Tokens, len(ts))
	for i, t := range ts {
		if !hclsyntax.ValidIdentifier(t.Key) || slices.Contains(hclKeywords, t.Key) {
			keys[i] = a.str(t.Key)
		} else {
			keys[i] = hclwrite.Tokens{a.ident(t.Key)}
		}
		values[i] = a.str(t.Value)
	}
	return a.object(keys, values)
}

// comment writes "# " comment lines.
func (a *arena) comment(body *hclwrite.Body, lines ...string) {
	for _, l := range lines {
		text := a.bytes("# " + l + "\n")
		body.AppendUnstructuredTokens(hclwrite.Tokens{a.tok(hclsyntax.TokenComment, text)})
	}
}

// op is one token; fmtTokens lays out the spaces around it.
func (a *arena) op(typ hclsyntax.TokenType, s string) *hclwrite.Token {
	return a.tok(typ, a.bytes(s))
}

// call is a function call: name(arg, arg).
func (a *arena) call(name string, args ...hclwrite.Tokens) hclwrite.Tokens {
	toks := hclwrite.Tokens{a.ident(name), a.tok(hclsyntax.TokenOParen, textOParen)}
	for i, arg := range args {
		if i > 0 {
			toks = append(toks, a.tok(hclsyntax.TokenComma, textComma))
		}
		toks = append(toks, arg...)
	}
	return append(toks, a.tok(hclsyntax.TokenCParen, textCParen))
}

// object is an object with one key = value per line, as hclwrite lays
// objects out.
func (a *arena) object(keys, values []hclwrite.Tokens) hclwrite.Tokens {
	toks := hclwrite.Tokens{a.tok(hclsyntax.TokenOBrace, textOBrace), a.tok(hclsyntax.TokenNewline, textNL)}
	for i, k := range keys {
		toks = append(toks, k...)
		toks = append(toks, a.tok(hclsyntax.TokenEqual, textEqual))
		toks = append(toks, values[i]...)
		toks = append(toks, a.tok(hclsyntax.TokenNewline, textNL))
	}
	return append(toks, a.tok(hclsyntax.TokenCBrace, textCBrace))
}

// emptyBlock writes a block with no body on one line, as people write
// data sources that take no arguments: data "aws_partition" "current" {}.
func (a *arena) emptyBlock(body *hclwrite.Body, typ string, labels ...string) {
	toks := hclwrite.Tokens{a.ident(typ)}
	for _, l := range labels {
		toks = append(toks, a.str(l)...)
	}
	toks = append(toks,
		a.tok(hclsyntax.TokenOBrace, textOBrace),
		a.tok(hclsyntax.TokenCBrace, textCBrace),
		a.tok(hclsyntax.TokenNewline, textNL))
	body.AppendUnstructuredTokens(toks)
}
