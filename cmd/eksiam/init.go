package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksiam/eksiam/schema"
	"github.com/eksiam/eksiam/templates"
)

func runInit(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	var project, environment, region, from, out string
	flags := flagSet("init", "--project P --environment E [--region R] [--from SPEC] [--out FILE]",
		"Writes a commented starter spec, or with --from a copy of another environment's spec with\n"+
			"project, environment and a defaulted cluster name replaced and accountId and\n"+
			"oidcProviderArn dropped: the way to scaffold a new environment. Never overwrites a file.",
		stdout)
	flags.StringVar(&project, "project", "", "the project (required)")
	flags.StringVar(&environment, "environment", "", "the environment (required)")
	flags.StringVar(&region, "region", os.Getenv("AWS_REGION"), "the cluster's region (default $AWS_REGION)")
	flags.StringVar(&from, "from", "", "copy this spec of another environment")
	flags.StringVar(&out, "out", "spec.yaml", "the spec file to write")
	if code := parse(flags, args, stderr); code >= 0 {
		return code
	}
	switch {
	case project == "":
		return usageError(stderr, flags, "--project is required")
	case environment == "":
		return usageError(stderr, flags, "--environment is required")
	case region == "" && from == "":
		return usageError(stderr, flags, "--region is required when AWS_REGION is not set")
	}
	for _, msg := range []string{schema.NameError("project", project), schema.NameError("environment", environment)} {
		if msg != "" {
			return usageError(stderr, flags, "%s", msg)
		}
	}
	if region != "" {
		if msg := schema.RegionError(region); msg != "" {
			return usageError(stderr, flags, "--region %s", msg)
		}
	}
	if _, err := os.Lstat(out); err == nil {
		fmt.Fprintf(stderr, "eksiam: %s already exists; init never overwrites a file (choose another --out)\n", out)
		return exitFailure
	} else if !errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(stderr, "eksiam: %v\n", err)
		return exitFailure
	}
	var data []byte
	var err error
	if from != "" {
		data, err = copySpec(from, project, environment, region, stderr)
	} else {
		data, err = templates.Starter(project, environment, region, out)
	}
	if err != nil {
		if err != errReported {
			fmt.Fprintf(stderr, "eksiam: %v\n", err)
		}
		return exitFailure
	}
	// A starter spec always loads; a copy may need what was dropped (a
	// mechanism: both needs the new cluster's oidcProviderArn): it is
	// written, and what is left to fill in is said with its position.
	_, diags := schema.Load(out, data)
	if diags.HasErrors() && from == "" {
		fmt.Fprintf(stderr, "eksiam: internal error: the starter spec does not load:\n")
		printDiagnostics(stderr, diags)
		return exitFailure
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		fmt.Fprintf(stderr, "eksiam: writing %s: %v\n", out, err)
		return exitFailure
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		fmt.Fprintf(stderr, "eksiam: writing %s: %v\n", out, err)
		return exitFailure
	}
	if err := f.Close(); err != nil {
		fmt.Fprintf(stderr, "eksiam: writing %s: %v\n", out, err)
		return exitFailure
	}
	if diags.HasErrors() {
		fmt.Fprintf(stdout, "wrote %s; fill in what the new environment needs before generating:\n", out)
		printDiagnostics(stdout, diags)
		return exitOK
	}
	fmt.Fprintf(stdout, "wrote %s; next: eksiam generate --spec %s --out iam\n", out, out)
	return exitOK
}

// errReported is returned after the diagnostics were printed.
var errReported = errors.New("reported")

// copySpec copies another environment's spec, changing only what it must
// in the file's own text, so comments, quoting and layout survive: project
// and environment replaced, the cluster name replaced when it was the
// default of the old ones, the region replaced when given, and the lines of
// cluster.accountId and irsa.oidcProviderArn removed.
func copySpec(from, project, environment, region string, stderr io.Writer) ([]byte, error) {
	src, err := os.ReadFile(from)
	if err != nil {
		return nil, fmt.Errorf("reading --from: %w", err)
	}
	old, diags := schema.Load(from, src)
	if diags.HasErrors() {
		fmt.Fprintf(stderr, "eksiam: %s has errors; fix them before copying it:\n", from)
		printDiagnostics(stderr, diags)
		return nil, errReported
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", from, err)
	}
	e := &textEdit{lines: strings.Split(string(src), "\n"), remove: map[int]bool{}}
	root := doc.Content[0]
	e.replace(get(root, "project"), project)
	e.replace(get(root, "environment"), environment)
	if cluster := get(root, "cluster"); cluster != nil {
		if name := get(cluster, "name"); name != nil && name.Value == old.Project.Value+"-"+old.Environment.Value {
			e.replace(name, project+"-"+environment)
		}
		if region != "" {
			e.replace(get(cluster, "region"), region)
		}
		e.dropKey(cluster, "accountId", nil)
	}
	if irsa := get(root, "irsa"); irsa != nil {
		e.dropKey(irsa, "oidcProviderArn", keyOf(root, "irsa"))
	}
	if e.err != nil {
		return nil, fmt.Errorf("copying %s: %w", from, e.err)
	}
	var kept []string
	for i, l := range e.lines {
		if !e.remove[i+1] {
			kept = append(kept, l)
		}
	}
	return []byte(strings.Join(kept, "\n")), nil
}

// textEdit changes a YAML file's text at the positions the parser gave.
type textEdit struct {
	lines  []string
	remove map[int]bool // 1-based line numbers
	err    error
}

// replace writes value over a one-line scalar, keeping its quotes.
func (e *textEdit) replace(n *yaml.Node, value string) {
	if n == nil || e.err != nil {
		return
	}
	if n.Kind != yaml.ScalarNode || n.Line < 1 || n.Line > len(e.lines) || strings.Contains(n.Value, "\n") {
		e.err = fmt.Errorf("line %d: expected a one-line value", n.Line)
		return
	}
	line := e.lines[n.Line-1]
	start := n.Column - 1
	end := start + len(n.Value)
	switch n.Style {
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		q := line[start]
		close := strings.IndexByte(line[start+1:], q)
		if close < 0 {
			e.err = fmt.Errorf("line %d: unterminated quote", n.Line)
			return
		}
		end = start + 1 + close + 1
		value = string(q) + value + string(q)
	}
	if end > len(line) || line[start:end] != strings.TrimSpace(line[start:end]) {
		e.err = fmt.Errorf("line %d: cannot find the value %q", n.Line, n.Value)
		return
	}
	e.lines[n.Line-1] = line[:start] + value + line[end:]
}

// dropKey removes a key whose value is a one-line scalar. When it was its
// mapping's only key, the mapping's own key line gets {} instead.
func (e *textEdit) dropKey(m *yaml.Node, key string, parentKey *yaml.Node) {
	k, v := keyOf(m, key), get(m, key)
	if k == nil || e.err != nil {
		return
	}
	if v.Kind != yaml.ScalarNode || v.Line != k.Line {
		e.err = fmt.Errorf("line %d: %s must be a one-line value", k.Line, key)
		return
	}
	if len(m.Content) == 2 && m.Style != yaml.FlowStyle && parentKey != nil {
		e.lines[parentKey.Line-1] = strings.TrimRight(e.lines[parentKey.Line-1], " ") + " {}"
	}
	e.remove[k.Line] = true
}

func get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func keyOf(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i]
		}
	}
	return nil
}
