package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/eksiam/eksiam/gen"
	"github.com/eksiam/eksiam/gen/lint"
	"github.com/eksiam/eksiam/schema"
)

// finding is one diagnostic in validate's JSON output.
type finding struct {
	File     string `json:"file"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Severity string `json:"severity"`
	Rule     string `json:"rule,omitempty"`
	Message  string `json:"message"`
}

func runValidate(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	var spec, format string
	var strict bool
	fs := flagSet("validate", "--spec FILE [--strict] [--format text|json]",
		"Checks the spec as generate does, and lints the policies it would produce. Findings are\n"+
			"warnings: they fail only with --strict. Rules:\n"+lint.Describe()+
			"  format-limit           something one of the output formats cannot carry\n"+
			"Notes, which never fail:\n"+
			"  template-size          how the CloudFormation output must be deployed (--s3-bucket, or package)\n"+
			"  eksctl-node-role       eksctl has no standalone node role or instance profile\n"+
			"  preset-version         a preset pinned to an older policy version than the newest",
		stdout)
	fs.StringVar(&spec, "spec", "", "the spec file (required)")
	fs.BoolVar(&strict, "strict", false, "fail (exit 1) on warnings too")
	fs.StringVar(&format, "format", "text", "how to print diagnostics: text (to stderr) or json (to stdout)")
	if code := parse(fs, args, stderr); code >= 0 {
		return code
	}
	switch {
	case spec == "":
		return usageError(stderr, fs, "--spec is required")
	case format != "text" && format != "json":
		return usageError(stderr, fs, "unknown format %q: choose text or json", format)
	}
	data, err := readSpec(spec)
	if err != nil {
		fmt.Fprintf(stderr, "eksiam: reading the spec: %v\n", err)
		return exitFailure
	}
	s, diags := schema.Load(spec, data)
	if s != nil {
		// On whatever loaded, errors or not: every problem in one run.
		_, more := gen.Validate(s, diags.HasErrors())
		diags = append(diags, more...)
	}
	diags = diags.Sorted()
	failed := diags.HasErrors() || (strict && diags.HasWarnings())
	if format == "json" {
		out := struct {
			Valid    bool      `json:"valid"`
			Findings []finding `json:"findings"`
		}{Valid: !failed, Findings: []finding{}}
		for _, d := range diags {
			out.Findings = append(out.Findings, finding{File: spec, Line: d.Pos.Line, Column: d.Pos.Col,
				Severity: d.Severity.String(), Rule: d.Rule, Message: d.Message})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "eksiam: %v\n", err)
			return exitFailure
		}
	} else {
		printDiagnostics(stderr, diags)
	}
	if failed {
		return exitFailure
	}
	return exitOK
}
