package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
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
		data, err = copySpec(from, project, environment, region, stdout, stderr)
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
	if from != "" {
		oldNames(stdout, from, out, data, project, environment)
	}
	if diags.HasErrors() {
		fmt.Fprintf(stdout, "wrote %s; fill in what the new environment needs before generating:\n", out)
		printDiagnostics(stdout, diags)
		return exitOK
	}
	fmt.Fprintf(stdout, "wrote %s; next: eksiam generate --spec %s --out iam\n", out, out)
	return exitOK
}

// oldNames lists, with their positions in the copy, the places that still
// name the source's project, environment or cluster (as whole names, in any
// case) where the copy's differ: a bucket shop-prod-assets, a comment on
// shop/prod. Each is
// the user's to decide; written ${project}-${environment}, an ARN follows
// the environment by itself.
func oldNames(stdout io.Writer, from, out string, data []byte, project, environment string) {
	src, err := readSpec(from)
	if err != nil {
		return
	}
	old, _ := schema.Load(from, src)
	if old == nil {
		return
	}
	var names []string
	for _, n := range []struct{ old, new string }{
		{old.Environment.Value, environment}, {old.Project.Value, project}, {old.Cluster.Name.Value, project + "-" + environment},
	} {
		if n.old != "" && n.old != n.new && !slices.Contains(names, n.old) {
			names = append(names, n.old)
		}
	}
	if len(names) == 0 {
		return
	}
	slices.SortFunc(names, func(a, b string) int { return len(b) - len(a) }) // shop-prod before prod
	alts := make([]string, len(names))
	for i, n := range names {
		alts[i] = regexp.QuoteMeta(n)
	}
	re := regexp.MustCompile(`(?i)` + strings.Join(alts, "|"))
	word := func(line string, i int) bool {
		c := line[i]
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	first := true
	for i, line := range strings.Split(string(data), "\n") {
		// Whole names only, each occurrence (prod-prod twice), found one
		// position at a time so that neighbours share their boundary.
		for at := 0; at < len(line); {
			m := re.FindStringIndex(line[at:])
			if m == nil {
				break
			}
			start, end := at+m[0], at+m[1]
			at = start + 1
			if (start > 0 && word(line, start-1)) || (end < len(line) && word(line, end)) {
				continue
			}
			if first {
				fmt.Fprintf(stdout, "%s still names %s in these places; change what should not carry over:\n", out, strings.Join(names, ", "))
				first = false
			}
			fmt.Fprintf(stdout, "%s:%d:%d: %s\n", out, i+1, start+1, strconv.Quote(strings.TrimSpace(line)))
			at = end
		}
	}
}

// errReported is returned after the diagnostics were printed.
var errReported = errors.New("reported")

// copySpec copies another environment's spec: project and environment
// replaced, the cluster name replaced when it was the default of the old
// ones, the region replaced when given, cluster.accountId and
// irsa.oidcProviderArn dropped. It changes only those places in the file's
// own text, so comments, quoting and layout survive; each edit is checked
// against the parser's view of the source, and the result must read as the
// source's data with exactly those changes. Where that does not hold
// (anchors, flow mappings, unusual quoting), the copy is re-encoded from the
// parsed tree instead, and a note says so. Values kept that likely need
// changing for a new environment are listed too.
func copySpec(from, project, environment, region string, stdout, stderr io.Writer) ([]byte, error) {
	src, err := readSpec(from)
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
	root := doc.Content[0]
	renameCluster := false
	if name := get(get(root, "cluster"), "name"); name != nil {
		renameCluster = name.Value == old.Project.Value+"-"+old.Environment.Value
		if !renameCluster {
			fmt.Fprintf(stderr, "eksiam: note: cluster.name %s was kept; change it if the new environment has its own cluster\n", name.Value)
		}
	}
	for _, sa := range old.ServiceAccounts {
		if sa.RoleName.Value != "" {
			fmt.Fprintf(stderr, "eksiam: note: roleName %s of %s/%s was kept; role names must differ if both environments share an account\n",
				sa.RoleName.Value, sa.Namespace.Value, sa.Name.Value)
		}
	}
	// Tag values that name the old project or environment name the new
	// ones in the copy (environment: prod must not follow into staging).
	retag := func(e editor, tags *yaml.Node) {
		if tags == nil || tags.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(tags.Content); i += 2 {
			switch v := tags.Content[i+1]; {
			case v.Kind != yaml.ScalarNode:
			case strings.EqualFold(v.Value, old.Environment.Value) && environment != old.Environment.Value:
				e.set(tags, tags.Content[i].Value, environment)
			case strings.EqualFold(v.Value, old.Project.Value) && project != old.Project.Value:
				e.set(tags, tags.Content[i].Value, project)
			}
		}
	}
	edit := func(e editor) {
		e.set(root, "project", project)
		e.set(root, "environment", environment)
		retag(e, get(root, "tags"))
		if sas := get(root, "serviceAccounts"); sas != nil && sas.Kind == yaml.SequenceNode {
			for _, sa := range sas.Content {
				retag(e, get(sa, "tags"))
			}
		}
		cluster := get(root, "cluster")
		if renameCluster {
			e.set(cluster, "name", project+"-"+environment)
		}
		if region != "" {
			e.set(cluster, "region", region)
		}
		e.drop(cluster, "accountId")
		e.drop(get(root, "irsa"), "oidcProviderArn")
	}
	want, err := expected(src, edit)
	if err != nil {
		return nil, err
	}
	t := &textEdit{lines: strings.Split(string(src), "\n"), remove: map[int]bool{}, root: root}
	edit(t)
	if t.err == nil {
		out := t.result()
		if same(out, want) {
			return out, nil
		}
		t.err = fmt.Errorf("the edited text does not read back as intended")
	}
	fmt.Fprintf(stdout, "note: %s's layout could not be kept (%v); the copy is written from its parsed content, comments kept\n", from, t.err)
	edit(treeEdit{})
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("writing the copy: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("writing the copy: %w", err)
	}
	if !same([]byte(b.String()), want) {
		return nil, fmt.Errorf("internal error: the copy of %s does not read back as intended", from)
	}
	return []byte(b.String()), nil
}

// editor applies the copy's changes to a spec: set a scalar, drop a key.
type editor interface {
	set(m *yaml.Node, key, value string)
	drop(m *yaml.Node, key string)
}

// expected is the source's data with the changes applied, as plain values:
// the edits run on a second parse of the source, leaving the first intact.
func expected(src []byte, edit func(editor)) (any, error) {
	var tree yaml.Node
	if err := yaml.Unmarshal(src, &tree); err != nil {
		return nil, err
	}
	edit(treeEditOn{&tree})
	var v any
	if err := tree.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// same reports whether data reads as the value want.
func same(data []byte, want any) bool {
	var got any
	if err := yaml.Unmarshal(data, &got); err != nil {
		return false
	}
	return reflect.DeepEqual(got, want)
}

// treeEdit changes the parsed tree itself.
type treeEdit struct{}

func (treeEdit) set(m *yaml.Node, key, value string) {
	if v := get(m, key); v != nil {
		v.SetString(value)
	}
}

func (treeEdit) drop(m *yaml.Node, key string) {
	if m == nil {
		return
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

// treeEditOn applies the changes to another parse of the same source,
// whose nodes are found by path rather than shared.
type treeEditOn struct{ doc *yaml.Node }

func (t treeEditOn) find(m *yaml.Node) *yaml.Node {
	// The editors receive nodes of the first parse; find the node at the
	// same position in this one.
	var walk func(n *yaml.Node) *yaml.Node
	walk = func(n *yaml.Node) *yaml.Node {
		if n.Line == m.Line && n.Column == m.Column && n.Kind == m.Kind {
			return n
		}
		for _, c := range n.Content {
			if f := walk(c); f != nil {
				return f
			}
		}
		return nil
	}
	if m == nil {
		return nil
	}
	return walk(t.doc)
}

func (t treeEditOn) set(m *yaml.Node, key, value string) { treeEdit{}.set(t.find(m), key, value) }
func (t treeEditOn) drop(m *yaml.Node, key string)       { treeEdit{}.drop(t.find(m), key) }

// textEdit changes a YAML file's text at the positions the parser gave,
// refusing any edit whose source text is not what it expects.
type textEdit struct {
	lines  []string
	remove map[int]bool // 1-based line numbers
	root   *yaml.Node
	err    error
}

func (e *textEdit) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf(format, args...)
	}
}

func (e *textEdit) result() []byte {
	var kept []string
	for i, l := range e.lines {
		if !e.remove[i+1] {
			kept = append(kept, l)
		}
	}
	return []byte(strings.Join(kept, "\n"))
}

// set writes value over a one-line plain or quoted scalar, keeping its
// quotes.
func (e *textEdit) set(m *yaml.Node, key, value string) {
	n := get(m, key)
	if n == nil || e.err != nil {
		return
	}
	if n.Kind != yaml.ScalarNode || n.Anchor != "" || n.Line < 1 || n.Line > len(e.lines) || m.Style == yaml.FlowStyle {
		e.fail("line %d: %s is not a plain one-line value", n.Line, key)
		return
	}
	line := e.lines[n.Line-1]
	start := n.Column - 1
	var src string
	switch n.Style {
	case 0:
		src = n.Value
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		q := `"`
		if n.Style == yaml.SingleQuotedStyle {
			q = "'"
		}
		src = q + n.Value + q
		value = q + value + q
	default:
		e.fail("line %d: %s has an unusual style", n.Line, key)
		return
	}
	end := start + len(src)
	if start < 0 || end > len(line) || line[start:end] != src {
		e.fail("line %d: %s's text is not where the parser puts it", n.Line, key)
		return
	}
	e.lines[n.Line-1] = line[:start] + value + line[end:]
}

// drop removes the line of a key whose value is a one-line scalar in a
// block mapping. When it was its mapping's only key, the mapping becomes {}.
func (e *textEdit) drop(m *yaml.Node, key string) {
	k, v := keyOf(m, key), get(m, key)
	if k == nil || e.err != nil {
		return
	}
	if m.Style == yaml.FlowStyle || v.Kind != yaml.ScalarNode || v.Line != k.Line {
		e.fail("line %d: %s is not a one-line entry of a block mapping", k.Line, key)
		return
	}
	if len(m.Content) == 2 {
		parent := e.parentKey(m)
		if parent == nil {
			e.fail("line %d: cannot find the mapping of %s", k.Line, key)
			return
		}
		line := e.lines[parent.Line-1]
		at := parent.Column - 1 + len(parent.Value)
		if at >= len(line) || line[parent.Column-1:at] != parent.Value || line[at] != ':' {
			e.fail("line %d: %s's text is not where the parser puts it", parent.Line, parent.Value)
			return
		}
		e.lines[parent.Line-1] = line[:at+1] + " {}" + line[at+1:]
	}
	e.remove[k.Line] = true
}

// parentKey finds the key whose value is m.
func (e *textEdit) parentKey(m *yaml.Node) *yaml.Node {
	var walk func(n *yaml.Node) *yaml.Node
	walk = func(n *yaml.Node) *yaml.Node {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i+1] == m {
					return n.Content[i]
				}
			}
		}
		for _, c := range n.Content {
			if f := walk(c); f != nil {
				return f
			}
		}
		return nil
	}
	return walk(e.root)
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
