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
	level, size := 0, 0
	for _, l := range lines {
		lt := toks[l.start:l.end]
		if lt[0].Type == hclsyntax.TokenNewline {
			lt[0].SpacesBefore = 0
			continue
		}
		net := 0
		for _, t := range lt {
			net += bracketChange(t)
		}
		if net < 0 && level > 0 {
			level--
		}
		lt[0].SpacesBefore = 2 * level
		if net > 0 {
			level++
		}
		spaceLine(lt)
	}
	alignAssignments(toks, lines)
	for _, t := range toks {
		size += t.SpacesBefore + len(t.Bytes)
	}
	b := make([]byte, 0, size)
	for _, t := range toks {
		for range t.SpacesBefore {
			b = append(b, ' ')
		}
		b = append(b, t.Bytes...)
	}
	return b
}

// line is one line of tokens, toks[start:end]; eq is the index in toks of
// the equals sign of a one-line attribute (its value opens no bracket it
// does not close), or -1.
type line struct {
	start, end, eq int
}

func splitLines(toks hclwrite.Tokens) []line {
	lines := make([]line, 0, len(toks)/4)
	start := 0
	for i, t := range toks {
		if t.Type == hclsyntax.TokenEOF {
			toks = toks[:i] // BuildTokens ends with EOF, and nothing follows it
			break
		}
		if t.Type == hclsyntax.TokenNewline || (t.Type == hclsyntax.TokenComment && bytes.HasSuffix(t.Bytes, []byte("\n"))) {
			lines = append(lines, line{start, i + 1, -1})
			start = i + 1
		}
	}
	if start < len(toks) {
		lines = append(lines, line{start, len(toks), -1})
	}
	for li := range lines {
		l := &lines[li]
		for i := l.start + 1; i < l.end; i++ {
			if toks[i].Type == hclsyntax.TokenEqual {
				net := 0
				for _, u := range toks[i:l.end] {
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
func alignAssignments(toks hclwrite.Tokens, lines []line) {
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		width := 0
		for _, l := range lines[start:end] {
			width = max(width, leadWidth(toks, l))
		}
		for _, l := range lines[start:end] {
			toks[l.eq].SpacesBefore = 1 + width - leadWidth(toks, l)
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
func leadWidth(toks hclwrite.Tokens, l line) int {
	w := 0
	for _, t := range toks[l.start:l.eq] {
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
