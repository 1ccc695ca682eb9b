package terraform

import (
	"bytes"
	"unicode/utf8"

	"github.com/apparentlymart/go-textseg/v15/textseg"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// fmtTokens lays out tokens as "terraform fmt" does, in place and without
// lexing the text again: two spaces of indent per open bracket level, one
// space between tokens except where Terraform's style has none, and the
// equals signs of consecutive one-line attributes aligned. It covers the
// token shapes this emitter builds; hclwrite.Format, which re-lexes the
// whole text (most of the emitter's time on large specs), is what the tests
// hold its output to.
func fmtTokens(toks hclwrite.Tokens) []byte {
	lines := splitLines(toks)
	level := 0
	for _, l := range lines {
		if len(l.toks) == 0 {
			continue
		}
		if l.toks[0].Type == hclsyntax.TokenNewline {
			l.toks[0].SpacesBefore = 0
			continue
		}
		net := 0
		for _, t := range l.toks {
			net += bracketChange(t)
		}
		if net < 0 && level > 0 {
			level--
		}
		l.toks[0].SpacesBefore = 2 * level
		if net > 0 {
			level++
		}
		spaceLine(l.toks)
	}
	alignAssignments(lines)
	var b bytes.Buffer
	for _, t := range toks {
		for range t.SpacesBefore {
			b.WriteByte(' ')
		}
		b.Write(t.Bytes)
	}
	return b.Bytes()
}

// line is one line of tokens; eq is the index of the equals sign of a
// one-line attribute (its value opens no bracket it does not close), or -1.
type line struct {
	toks hclwrite.Tokens
	eq   int
}

func splitLines(toks hclwrite.Tokens) []*line {
	var lines []*line
	cur := &line{eq: -1}
	for _, t := range toks {
		if t.Type == hclsyntax.TokenEOF {
			continue
		}
		cur.toks = append(cur.toks, t)
		if t.Type == hclsyntax.TokenNewline || (t.Type == hclsyntax.TokenComment && bytes.HasSuffix(t.Bytes, []byte("\n"))) {
			lines = append(lines, cur)
			cur = &line{eq: -1}
		}
	}
	if len(cur.toks) > 0 {
		lines = append(lines, cur)
	}
	for _, l := range lines {
		for i, t := range l.toks {
			if i > 0 && t.Type == hclsyntax.TokenEqual {
				net := 0
				for _, u := range l.toks[i:] {
					net += bracketChange(u)
				}
				if net == 0 {
					l.eq = i
				}
				break
			}
		}
	}
	return lines
}

func bracketChange(t *hclwrite.Token) int {
	switch t.Type {
	case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen, hclsyntax.TokenTemplateInterp:
		return 1
	case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenTemplateSeqEnd:
		return -1
	}
	return 0
}

// spaceLine sets the spaces between the tokens of one line.
func spaceLine(toks hclwrite.Tokens) {
	quoted := 0 // depth of quoted templates (an interpolation may quote again)
	for i := 1; i < len(toks); i++ {
		prev, cur := toks[i-1], toks[i]
		if prev.Type == hclsyntax.TokenOQuote {
			quoted++
		}
		if prev.Type == hclsyntax.TokenCQuote {
			quoted--
		}
		cur.SpacesBefore = 1
		if quoted > 0 || noSpace(prev, cur) {
			cur.SpacesBefore = 0
		}
	}
}

// noSpace reports where Terraform's style puts no space between two
// tokens on a line.
func noSpace(prev, cur *hclwrite.Token) bool {
	switch cur.Type {
	case hclsyntax.TokenNewline, hclsyntax.TokenComma, hclsyntax.TokenDot,
		hclsyntax.TokenCParen, hclsyntax.TokenCBrack:
		return true
	case hclsyntax.TokenOParen:
		return prev.Type == hclsyntax.TokenIdent // a function call
	case hclsyntax.TokenOBrack:
		// An index or a splat follows what it applies to.
		return prev.Type == hclsyntax.TokenIdent || prev.Type == hclsyntax.TokenCBrack || prev.Type == hclsyntax.TokenCParen
	case hclsyntax.TokenCBrace:
		return prev.Type == hclsyntax.TokenOBrace // an empty block: {}
	}
	switch prev.Type {
	case hclsyntax.TokenOParen, hclsyntax.TokenOBrack, hclsyntax.TokenDot:
		return true
	case hclsyntax.TokenStar:
		return cur.Type == hclsyntax.TokenCBrack
	}
	return false
}

// alignAssignments lines up the equals signs of consecutive one-line
// attributes; any other line ends the run.
func alignAssignments(lines []*line) {
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		width := 0
		for _, l := range lines[start:end] {
			width = max(width, leadWidth(l))
		}
		for _, l := range lines[start:end] {
			l.toks[l.eq].SpacesBefore = 1 + width - leadWidth(l)
		}
		start = -1
	}
	for i, l := range lines {
		if l.eq < 0 {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
		}
	}
	flush(len(lines))
}

// leadWidth is the width of an attribute line before its equals sign, in
// grapheme clusters as Terraform counts columns.
func leadWidth(l *line) int {
	w := 0
	for _, t := range l.toks[:l.eq] {
		w += t.SpacesBefore + width(t.Bytes)
	}
	return w
}

// width counts grapheme clusters, with the segmenter hcl itself uses; ASCII
// text is as wide as it is long.
func width(b []byte) int {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			n, err := textseg.TokenCount(b, textseg.ScanGraphemeClusters)
			if err != nil {
				return utf8.RuneCount(b)
			}
			return n
		}
	}
	return len(b)
}
