package schema

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Pos is a position in the spec file. Line and Col are 1-based; a zero Pos
// means the diagnostic has no position.
type Pos struct {
	File string `json:"-"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
}

// IsValid reports whether p points into a file.
func (p Pos) IsValid() bool { return p.Line > 0 }

func (p Pos) String() string {
	if !p.IsValid() {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Severity says whether a diagnostic fails the run.
type Severity int

const (
	// Error makes the spec unusable.
	Error Severity = iota
	// Warning is a finding that fails only under --strict.
	Warning
	// Note is information that never fails a run, not even under
	// --strict.
	Note
)

func (s Severity) String() string {
	switch s {
	case Warning:
		return "warning"
	case Note:
		return "note"
	}
	return "error"
}

// Diagnostic is one problem found in a spec. Rule names the lint rule of
// a finding; spec errors have none.
type Diagnostic struct {
	Pos      Pos
	Severity Severity
	Message  string
	Rule     string
}

func (d Diagnostic) String() string {
	prefix := "eksiam"
	if d.Pos.IsValid() {
		prefix = d.Pos.String()
	}
	msg := escapeControls(d.Message)
	if d.Rule != "" {
		msg += " [" + d.Rule + "]"
	}
	if d.Severity != Error {
		return prefix + ": " + d.Severity.String() + ": " + msg
	}
	return prefix + ": " + msg
}

// Diagnostics is a list of problems. Sort orders it by position and removes
// duplicates, so that output is stable whatever order checks ran in.
type Diagnostics []Diagnostic

// Errorf appends an error at pos.
func (ds *Diagnostics) Errorf(pos Pos, format string, args ...any) {
	*ds = append(*ds, Diagnostic{Pos: pos, Severity: Error, Message: fmt.Sprintf(format, args...)})
}

// Finding appends a lint warning of a rule at pos.
func (ds *Diagnostics) Finding(pos Pos, rule, format string, args ...any) {
	*ds = append(*ds, Diagnostic{Pos: pos, Severity: Warning, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

// Notef appends a note of a rule at pos: information, never a failure.
func (ds *Diagnostics) Notef(pos Pos, rule, format string, args ...any) {
	*ds = append(*ds, Diagnostic{Pos: pos, Severity: Note, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

// HasWarnings reports whether any diagnostic is an error or a warning:
// what fails a run under --strict.
func (ds Diagnostics) HasWarnings() bool {
	return slices.ContainsFunc(ds, func(d Diagnostic) bool { return d.Severity != Note })
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	return slices.ContainsFunc(ds, func(d Diagnostic) bool { return d.Severity == Error })
}

// Sorted returns the diagnostics ordered by file, line, column and message,
// without duplicates.
func (ds Diagnostics) Sorted() Diagnostics {
	out := slices.Clone(ds)
	slices.SortStableFunc(out, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
			cmp.Compare(a.Message, b.Message),
			cmp.Compare(a.Rule, b.Rule),
		)
	})
	return slices.Compact(out)
}

// Err returns the diagnostics as an error when there is at least one error,
// and nil otherwise.
func (ds Diagnostics) Err() error {
	if !ds.HasErrors() {
		return nil
	}
	return ds
}

// Error renders every diagnostic on its own line, sorted.
func (ds Diagnostics) Error() string {
	var b strings.Builder
	for i, d := range ds.Sorted() {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.String())
	}
	return b.String()
}

// escapeControls writes line breaks, terminal escapes and other control
// or format characters as Go escapes (\n, \x1b, \u202e): a diagnostic
// quotes spec text, and a spec must not forge a FILE:LINE:COL line or drive
// the terminal.
func escapeControls(s string) string {
	if !strings.ContainsFunc(s, unsafeRune) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeRune(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	return r != ' ' && (unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp))
}
