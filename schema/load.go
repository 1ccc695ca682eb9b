package schema

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	yaml4 "go.yaml.in/yaml/v4"
)

// Load parses and validates a spec. name is the path shown in diagnostics.
// The returned spec is nil only when the YAML itself could not be parsed;
// otherwise it holds everything that could be read, with defaults applied,
// and the diagnostics list every problem found.
func Load(name string, data []byte) (*Spec, Diagnostics) {
	return loadWith(&loader{file: name}, name, data)
}

// Limits on what a spec may hold: a real spec is a few kilobytes; these
// stop a hostile or broken file (an alias bomb, /dev/zero) with a clear
// error instead of exhausting memory.
const (
	// MaxSpecBytes is the largest spec file eksiam reads.
	MaxSpecBytes = 16 << 20
	// maxNodes bounds a spec with its aliases expanded: each node counts
	// one and its text one per 64 bytes, so that a large string repeated
	// through aliases counts for its size.
	maxNodes = 2_000_000
)

func loadWith(l *loader, name string, data []byte) (*Spec, Diagnostics) {
	if len(data) > MaxSpecBytes {
		l.diags.Errorf(Pos{File: name, Line: 1, Col: 1}, "the spec is larger than %d MiB, which is more than any spec needs; is it the right file?", MaxSpecBytes>>20)
		return nil, l.diags.Sorted()
	}
	l.data = data
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		l.syntaxError(err)
		return nil, l.diags.Sorted()
	}
	var second yaml.Node
	switch err := dec.Decode(&second); {
	case err == nil && !emptyDocument(&second):
		l.diags.Errorf(Pos{File: name, Line: second.Line, Col: second.Column}, "the spec holds a second YAML document; eksiam reads one spec per file")
	case err != nil && !errors.Is(err, io.EOF):
		l.syntaxError(err)
		return nil, l.diags.Sorted()
	}
	if n := expandedSize(&doc, map[*yaml.Node]int{}); n > maxNodes {
		l.diags.Errorf(Pos{File: name, Line: 1, Col: 1}, "the spec expands to more than %d YAML nodes through its aliases; write it without such nesting of aliases", maxNodes)
		return nil, l.diags.Sorted()
	}
	l.tags(&doc)
	spec := &Spec{File: name}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root.Kind == 0 || root.Kind == yaml.DocumentNode || isNull(root) {
		l.diags.Errorf(Pos{File: name, Line: 1, Col: 1}, "the spec is empty: it needs at least version, project, environment and cluster.region")
		return nil, l.diags.Sorted()
	}
	l.spec(root, spec)
	applyDefaults(spec)
	validate(spec, &l.diags)
	return spec, l.diags.Sorted()
}

// emptyDocument reports a document with nothing in it, such as what a
// trailing "---" starts.
func emptyDocument(d *yaml.Node) bool {
	return len(d.Content) == 0 || (len(d.Content) == 1 && isNull(d.Content[0]) && d.Content[0].Value == "")
}

// expandedSize counts the nodes of n with aliases expanded, as the loader
// walks them, remembering each node's count so that the counting itself
// stays linear; it stops counting past maxNodes.
func expandedSize(n *yaml.Node, memo map[*yaml.Node]int) int {
	if n == nil {
		return 0
	}
	if c, ok := memo[n]; ok {
		return c
	}
	memo[n] = maxNodes + 1 // an alias cycle counts as too many
	c := 1 + len(n.Value)/64
	if n.Kind == yaml.AliasNode {
		c += expandedSize(n.Alias, memo)
	}
	for _, ch := range n.Content {
		if c > maxNodes {
			break
		}
		c += expandedSize(ch, memo)
	}
	memo[n] = min(c, maxNodes+1)
	return memo[n]
}

// tags refuses explicit YAML tags (!!str, !Ref, ...) on any node: a spec
// has no use for them, and the loader would otherwise read past them.
func (l *loader) tags(n *yaml.Node) {
	if n == nil || n.Kind == yaml.AliasNode {
		return
	}
	if n.Style&yaml.TaggedStyle != 0 {
		l.errorf(n, "YAML tags such as %s are not allowed in a spec; write the value plainly (quote it to keep it text)", n.Tag)
	}
	for _, ch := range n.Content {
		l.tags(ch)
	}
}

// problem parses data with go-yaml v4 for the position of its syntax
// error, or returns nil.
func problem(data []byte) *yaml4.LoadError {
	var n yaml4.Node
	var le *yaml4.LoadError
	if err := yaml4.Unmarshal(data, &n); errors.As(err, &le) {
		return le
	}
	return nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// syntaxError turns a YAML parser error into a diagnostic at the line
// and column of the problem, column 1 when the parser reports none.
// go-yaml v3 reports only the line of the construct the problem is in
// (the start of a flow sequence left open, say); its successor, v4, the
// same parser, also reports where the problem itself is, and is asked
// for that.
func (l *loader) syntaxError(err error) {
	if le := problem(l.data); le != nil && le.Mark.Line > 0 {
		msg := le.Message
		if le.ContextMsg != "" && le.ContextMark.Line > 0 {
			msg += fmt.Sprintf(" (%s at line %d, column %d)", le.ContextMsg, le.ContextMark.Line, le.ContextMark.Column)
		}
		l.diags.Errorf(Pos{File: l.file, Line: le.Mark.Line, Col: max(le.Mark.Column, 1)}, "invalid YAML: %s", msg)
		return
	}
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	line := 1
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		if m[1] != "" {
			fmt.Sscanf(m[1], "%d", &line)
		}
		msg = m[2]
	}
	l.diags.Errorf(Pos{File: l.file, Line: line, Col: 1}, "invalid YAML: %s", msg)
}

type loader struct {
	file  string
	data  []byte // the spec's text, for syntax errors' positions
	diags Diagnostics
	// keys, when set, is told every mapping's allowed keys, by the path of
	// the mapping with list indices dropped (for the JSON Schema's test).
	keys func(path string, keys []string)
}

var indexRE = regexp.MustCompile(`\[[0-9]+\]`)

func (l *loader) pos(n *yaml.Node) Pos {
	return Pos{File: l.file, Line: n.Line, Col: n.Column}
}

func (l *loader) errorf(n *yaml.Node, format string, args ...any) {
	l.diags.Errorf(l.pos(n), format, args...)
}

// field is one allowed key of a mapping and how to read its value.
type field struct {
	key    string
	decode func(key, val *yaml.Node)
}

// resolve follows YAML aliases so that anchors can be reused in a spec.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// mapping reads a mapping whose keys must be among fields. Unknown keys are
// errors with a suggestion; repeated keys are errors.
func (l *loader) mapping(n *yaml.Node, what string, fields []field) bool {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		if isNull(n) {
			return false
		}
		l.errorf(n, "%s must be a mapping, not %s", what, describe(n))
		return false
	}
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.key
	}
	if l.keys != nil {
		l.keys(indexRE.ReplaceAllString(what, "[]"), keys)
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			l.errorf(k, "%s: keys must be strings", what)
			continue
		}
		if prev, ok := seen[k.Value]; ok {
			l.errorf(k, "%s: %s is set twice (first at line %d)", what, k.Value, prev.Line)
			continue
		}
		seen[k.Value] = k
		idx := slices.Index(keys, k.Value)
		if idx < 0 {
			l.errorf(k, "%s: unknown key %q%s", what, k.Value, suggest(k.Value, keys))
			continue
		}
		fields[idx].decode(k, v)
	}
	return true
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "empty"
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// str reads a scalar as text. Numbers and booleans are taken as written
// (tag values like 1234 are strings to AWS); lists, mappings and null are
// errors.
func (l *loader) str(what string, n *yaml.Node) Str {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || isNull(n) {
		l.errorf(n, "%s must be a string, not %s", what, describe(n))
		return Str{Pos: l.pos(n)}
	}
	return Str{Value: n.Value, Pos: l.pos(n), Set: true}
}

// quoted reads a scalar that must be a YAML string, for values such as
// account ids whose digits YAML would otherwise read as a number.
func (l *loader) quoted(what, example string, n *yaml.Node) Str {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!int" || n.Tag == "!!float") {
		l.errorf(n, "%s must be a quoted string (%s): YAML reads %s as a number", what, example, n.Value)
		return Str{Pos: l.pos(n)}
	}
	return l.str(what, n)
}

func (l *loader) boolean(what string, n *yaml.Node) Bool {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		l.errorf(n, "%s must be true or false, not %s", what, describe(n))
		return Bool{Pos: l.pos(n)}
	}
	// YAML 1.2 writes true as true, True or TRUE, and false likewise;
	// anything else tagged !!bool is refused rather than read as false.
	switch n.Value {
	case "true", "True", "TRUE":
		return Bool{Value: true, Pos: l.pos(n), Set: true}
	case "false", "False", "FALSE":
		return Bool{Value: false, Pos: l.pos(n), Set: true}
	}
	l.errorf(n, "%s must be true or false, not %q", what, n.Value)
	return Bool{Pos: l.pos(n)}
}

func (l *loader) integer(what string, n *yaml.Node) Int {
	n = resolve(n)
	var v int
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&v) != nil {
		l.errorf(n, "%s must be a whole number, not %s", what, describe(n))
		return Int{Pos: l.pos(n)}
	}
	// YAML reads 07200 as octal (3712) and 0x1C20 as hex, and go-yaml 3_600
	// as 3600 where YAML 1.2 reads a string: a whole number is written in
	// decimal digits alone.
	if digits := strings.TrimLeft(n.Value, "+-"); strings.Trim(digits, "0123456789") != "" {
		l.errorf(n, "%s is written %s; write it in decimal digits alone", what, n.Value)
		return Int{Pos: l.pos(n)}
	} else if len(digits) > 1 && digits[0] == '0' {
		l.errorf(n, "%s is written %s, which YAML reads as %d (octal or hex); write it in decimal without a leading zero", what, n.Value, v)
		return Int{Pos: l.pos(n)}
	}
	return Int{Value: v, Pos: l.pos(n), Set: true}
}

// enum reads a string that must be one of values.
func (l *loader) enum(what string, n *yaml.Node, values ...string) Str {
	s := l.str(what, n)
	if s.Set && !slices.Contains(values, s.Value) {
		l.errorf(n, "%s must be one of %s, not %q%s", what, strings.Join(values, ", "), s.Value, suggest(s.Value, values))
		s.Set = false
	}
	return s
}

// index names element i of a list: what[i].
func index(what string, i int) string {
	return what + "[" + strconv.Itoa(i) + "]"
}

// list reads a sequence, calling item for each element.
func (l *loader) list(what string, n *yaml.Node, item func(i int, n *yaml.Node)) {
	n = resolve(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, "%s must be a list, not %s", what, describe(n))
		return
	}
	for i, c := range n.Content {
		item(i, resolve(c))
	}
}

func (l *loader) strList(what string, n *yaml.Node) []Str {
	var out []Str
	l.list(what, n, func(i int, c *yaml.Node) {
		if s := l.str(index(what, i), c); s.Set {
			out = append(out, s)
		}
	})
	return out
}

// stringMap reads a mapping of strings to strings, such as tags.
func (l *loader) stringMap(what string, n *yaml.Node) []KeyValue {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "%s must be a mapping, not %s", what, describe(n))
		return nil
	}
	var out []KeyValue
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := l.str(what+" key", k)
		if !key.Set {
			continue
		}
		// AWS tag keys are unique ignoring case.
		if line, ok := seen[strings.ToLower(key.Value)]; ok {
			l.errorf(k, "%s: %s is set twice, ignoring case as AWS does (first at line %d)", what, key.Value, line)
			continue
		}
		seen[strings.ToLower(key.Value)] = k.Line
		val := l.str(what+"."+key.Value, v)
		if val.Set {
			out = append(out, KeyValue{Key: key, Value: val})
		}
	}
	return out
}

func (l *loader) spec(n *yaml.Node, s *Spec) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "the spec must be a mapping with version, project, environment and cluster, not %s", describe(n))
		return
	}
	l.mapping(n, "spec", []field{
		{"version", func(_, v *yaml.Node) { s.Version = l.integer("version", v) }},
		{"project", func(_, v *yaml.Node) { s.Project = l.str("project", v) }},
		{"environment", func(_, v *yaml.Node) { s.Environment = l.str("environment", v) }},
		{"cluster", func(k, v *yaml.Node) {
			s.Cluster.Pos = l.pos(k)
			l.cluster(v, &s.Cluster)
		}},
		{"tags", func(_, v *yaml.Node) { s.Tags = l.stringMap("tags", v) }},
		{"formats", func(k, v *yaml.Node) {
			s.FormatsPos = l.pos(k)
			for _, f := range l.strList("formats", v) {
				name := strings.ToLower(f.Value)
				switch {
				case !slices.Contains(FormatNames, name):
					l.diags.Errorf(f.Pos, "formats: unknown format %q%s: choose from %s", f.Value, suggest(name, FormatNames), strings.Join(FormatNames, ", "))
				case slices.Contains(s.Formats, name):
					l.diags.Errorf(f.Pos, "formats: %s is listed twice", name)
				default:
					s.Formats = append(s.Formats, name)
				}
			}
			if len(s.Formats) == 0 && len(resolve(v).Content) == 0 {
				l.errorf(v, "formats needs at least one of %s", strings.Join(FormatNames, ", "))
			}
		}},
		{"cloudformation", func(k, v *yaml.Node) {
			s.CloudFormation.Pos = l.pos(k)
			l.mapping(v, "cloudformation", []field{
				{"nestedStacks", func(_, v *yaml.Node) {
					s.CloudFormation.NestedStacks = l.boolean("cloudformation.nestedStacks", v)
				}},
			})
		}},
		{"naming", func(_, v *yaml.Node) {
			l.mapping(v, "naming", []field{
				{"nodeRole", func(_, v *yaml.Node) { s.Naming.NodeRole = l.str("naming.nodeRole", v) }},
				{"podRole", func(_, v *yaml.Node) { s.Naming.PodRole = l.str("naming.podRole", v) }},
			})
		}},
		{"nodeRole", func(k, v *yaml.Node) {
			s.NodeRole.Pos = l.pos(k)
			l.nodeRole("nodeRole", v, &s.NodeRole)
		}},
		{"nodeRoles", func(k, v *yaml.Node) {
			s.NodeRolesPos = l.pos(k)
			l.list("nodeRoles", v, func(i int, c *yaml.Node) {
				r := NodeRole{Pos: l.pos(c)}
				what := index("nodeRoles", i)
				if c.Kind != yaml.MappingNode {
					l.errorf(c, "%s must be a mapping with a name, not %s", what, describe(c))
					return
				}
				l.nodeRole(what, c, &r)
				s.NodeRoles = append(s.NodeRoles, r)
			})
			if s.NodeRoles == nil {
				l.errorf(v, "nodeRoles needs at least one node role (or leave it out)")
			}
		}},
		{"serviceAccounts", func(_, v *yaml.Node) {
			l.list("serviceAccounts", v, func(i int, c *yaml.Node) {
				s.ServiceAccounts = append(s.ServiceAccounts, l.serviceAccount(index("serviceAccounts", i), c))
			})
		}},
		{"irsa", func(k, v *yaml.Node) {
			s.IRSA = &IRSA{Pos: l.pos(k)}
			l.mapping(v, "irsa", []field{
				{"oidcProviderArn", func(_, v *yaml.Node) { s.IRSA.OIDCProviderARN = l.str("irsa.oidcProviderArn", v) }},
			})
		}},
	})
}

func (l *loader) cluster(n *yaml.Node, c *Cluster) {
	l.mapping(n, "cluster", []field{
		{"name", func(_, v *yaml.Node) { c.Name = l.str("cluster.name", v) }},
		{"region", func(_, v *yaml.Node) { c.Region = l.str("cluster.region", v) }},
		{"partition", func(_, v *yaml.Node) { c.Partition = l.enum("cluster.partition", v, "aws", "aws-cn", "aws-us-gov") }},
		{"accountId", func(_, v *yaml.Node) { c.AccountID = l.quoted("cluster.accountId", `"111122223333"`, v) }},
		{"version", func(_, v *yaml.Node) { c.Version = l.quoted("cluster.version", `"1.31"`, v) }},
	})
}

// nodeRole reads the nodeRole shorthand (what is "nodeRole") or an entry
// of nodeRoles: the same fields, with a name only in the list.
func (l *loader) nodeRole(what string, n *yaml.Node, r *NodeRole) {
	r.What = what
	fields := []field{
		{"enabled", func(_, v *yaml.Node) { r.Enabled = l.boolean(what+".enabled", v) }},
		{"kind", func(_, v *yaml.Node) { r.Kind = l.enum(what+".kind", v, KindEC2, KindAutoMode, KindHybrid) }},
		{"os", func(_, v *yaml.Node) { r.OS = l.enum(what+".os", v, OSLinux, OSWindows) }},
		{"hybrid", func(k, v *yaml.Node) {
			r.Hybrid.Pos = l.pos(k)
			l.mapping(v, what+".hybrid", []field{
				{"credentials", func(_, v *yaml.Node) {
					r.Hybrid.Credentials = l.enum(what+".hybrid.credentials", v, CredentialsSSM, CredentialsRolesAnywhere)
				}},
				{"trustAnchorArn", func(_, v *yaml.Node) { r.Hybrid.TrustAnchorARN = l.str(what+".hybrid.trustAnchorArn", v) }},
			})
		}},
		{"accessEntry", func(_, v *yaml.Node) { r.AccessEntry = l.accessEntry(what+".accessEntry", v) }},
		{"policy", func(_, v *yaml.Node) { r.Policy = l.enum(what+".policy", v, PolicyManaged, PolicyRestrictive) }},
		{"ecr", func(_, v *yaml.Node) { r.ECR = l.enum(what+".ecr", v, ECRPullOnly, ECRReadOnly) }},
		{"cni", func(_, v *yaml.Node) { r.CNI = l.enum(what+".cni", v, CNISeparateRole, CNINodeRole, CNINone) }},
		{"ipFamily", func(_, v *yaml.Node) { r.IPFamily = l.enum(what+".ipFamily", v, IPv4, IPv6) }},
		{"ssm", func(_, v *yaml.Node) { r.SSM = l.boolean(what+".ssm", v) }},
		{"instanceProfile", func(_, v *yaml.Node) { r.InstanceProfile = l.boolean(what+".instanceProfile", v) }},
		{"additionalPolicyArns", func(_, v *yaml.Node) { r.AdditionalPolicyARNs = l.strList(what+".additionalPolicyArns", v) }},
		{"permissionsBoundary", func(_, v *yaml.Node) { r.PermissionsBoundary = l.str(what+".permissionsBoundary", v) }},
		{"path", func(_, v *yaml.Node) { r.Path = l.str(what+".path", v) }},
		{"nodeGroups", func(_, v *yaml.Node) {
			r.NodeGroups = l.strList(what+".nodeGroups", v)
			if r.NodeGroups == nil {
				r.NodeGroups = []Str{}
			}
		}},
	}
	if what != "nodeRole" {
		// A listed role is named.
		fields = append([]field{{"name", func(_, v *yaml.Node) { r.Name = l.str(what+".name", v) }}}, fields...)
	}
	l.mapping(n, what, fields)
}

// accessEntry reads auto, true or false (a boolean or the word).
func (l *loader) accessEntry(what string, n *yaml.Node) Str {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		b := l.boolean(what, n)
		return Str{Value: strconv.FormatBool(b.Value), Pos: b.Pos, Set: b.Set}
	}
	return l.enum(what, n, AccessEntryAuto, "true", "false")
}

func (l *loader) serviceAccount(what string, n *yaml.Node) ServiceAccount {
	sa := ServiceAccount{Pos: l.pos(n)}
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "%s must be a mapping with namespace and name, not %s", what, describe(n))
		return sa
	}
	l.mapping(n, what, []field{
		{"namespace", func(_, v *yaml.Node) { sa.Namespace = l.str(what+".namespace", v) }},
		{"name", func(_, v *yaml.Node) { sa.Name = l.str(what+".name", v) }},
		{"mechanism", func(_, v *yaml.Node) {
			sa.Mechanism = l.enum(what+".mechanism", v, MechanismPodIdentity, MechanismIRSA, MechanismBoth)
		}},
		{"roleName", func(_, v *yaml.Node) { sa.RoleName = l.str(what+".roleName", v) }},
		{"presets", func(_, v *yaml.Node) { sa.Presets = l.strList(what+".presets", v) }},
		{"presetOptions", func(_, v *yaml.Node) { sa.PresetOptions = l.presetOptions(what+".presetOptions", v) }},
		{"managedPolicyArns", func(_, v *yaml.Node) { sa.ManagedPolicyARNs = l.strList(what+".managedPolicyArns", v) }},
		{"policy", func(_, v *yaml.Node) { sa.Policy = l.statements(what+".policy", v) }},
		{"maxSessionDuration", func(_, v *yaml.Node) { sa.MaxSessionDuration = l.integer(what+".maxSessionDuration", v) }},
		{"permissionsBoundary", func(_, v *yaml.Node) { sa.PermissionsBoundary = l.str(what+".permissionsBoundary", v) }},
		{"tags", func(_, v *yaml.Node) { sa.Tags = l.stringMap(what+".tags", v) }},
		{"trust", func(_, v *yaml.Node) { sa.Trust = l.enum(what+".trust", v, TrustScoped, TrustAccount) }},
		{"sessionTags", func(_, v *yaml.Node) { sa.SessionTags = l.boolean(what+".sessionTags", v) }},
		{"targetRoleArn", func(_, v *yaml.Node) { sa.TargetRoleARN = l.str(what+".targetRoleArn", v) }},
		{"sessionPolicy", func(k, v *yaml.Node) {
			sa.SessionPolicyPos = l.pos(k)
			sa.SessionPolicy = l.statements(what+".sessionPolicy", v)
		}},
		{"runsOn", func(_, v *yaml.Node) {
			sa.RunsOn = l.enum(what+".runsOn", v, RunsOnLinux, RunsOnWindows, RunsOnFargate)
		}},
	})
	return sa
}

func (l *loader) presetOptions(what string, n *yaml.Node) []PresetOption {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "%s must be a mapping of option names to values, not %s", what, describe(n))
		return nil
	}
	var out []PresetOption
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		name := l.str(what+" key", k)
		if !name.Set {
			continue
		}
		opt := PresetOption{Name: name}
		if v.Kind == yaml.SequenceNode {
			opt.Values = l.strList(what+"."+name.Value, v)
		} else if s := l.str(what+"."+name.Value, v); s.Set {
			opt.Values = []Str{s}
		}
		out = append(out, opt)
	}
	return out
}

func (l *loader) statements(what string, n *yaml.Node) []Statement {
	out := []Statement{}
	l.list(what, n, func(i int, c *yaml.Node) {
		w := index(what, i)
		st := Statement{Pos: l.pos(c)}
		if c.Kind != yaml.MappingNode {
			l.errorf(c, "%s must be a mapping with actions and resources, not %s", w, describe(c))
			return
		}
		l.mapping(c, w, []field{
			{"sid", func(_, v *yaml.Node) { st.Sid = l.str(w+".sid", v) }},
			{"effect", func(_, v *yaml.Node) { st.Effect = l.enum(w+".effect", v, "Allow", "Deny") }},
			{"actions", func(_, v *yaml.Node) { st.Actions = l.strList(w+".actions", v) }},
			{"notActions", func(_, v *yaml.Node) { st.NotActions = l.strList(w+".notActions", v) }},
			{"resources", func(_, v *yaml.Node) { st.Resources = l.strList(w+".resources", v) }},
			{"notResources", func(_, v *yaml.Node) { st.NotResources = l.strList(w+".notResources", v) }},
			{"condition", func(_, v *yaml.Node) { st.Conditions = l.conditions(w+".condition", v) }},
			{"principals", func(k, _ *yaml.Node) {
				l.errorf(k, "%s: principals cannot be set: eksiam writes each role's trust policy itself", w)
			}},
		})
		out = append(out, st)
	})
	return out
}

// conditions reads operator -> key -> string or list of strings.
func (l *loader) conditions(what string, n *yaml.Node) []Condition {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "%s must be a mapping of operators (StringEquals, ...) to keys and values, not %s", what, describe(n))
		return nil
	}
	var out []Condition
	ops := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		opNode, keys := n.Content[i], resolve(n.Content[i+1])
		op := l.str(what+" operator", opNode)
		if !op.Set {
			continue
		}
		// A repeated operator or key would be a second JSON key that IAM
		// reads as something else than the spec says: refuse it, as every
		// other repeated key is refused.
		if prev, ok := ops[op.Value]; ok {
			l.errorf(opNode, "%s: %s is set twice (first at line %d); put all its keys under one %s", what, op.Value, prev.Line, op.Value)
			continue
		}
		ops[op.Value] = opNode
		if keys.Kind != yaml.MappingNode {
			l.errorf(keys, "%s.%s must be a mapping of condition keys to values, not %s", what, op.Value, describe(keys))
			continue
		}
		seen := map[string]*yaml.Node{}
		for j := 0; j+1 < len(keys.Content); j += 2 {
			keyNode, valNode := keys.Content[j], resolve(keys.Content[j+1])
			key := l.str(what+"."+op.Value+" key", keyNode)
			if !key.Set {
				continue
			}
			// Condition keys are case-insensitive in IAM.
			if prev, ok := seen[strings.ToLower(key.Value)]; ok {
				l.errorf(keyNode, "%s.%s: condition key %s is set twice (first at line %d); list every value under one key",
					what, op.Value, key.Value, prev.Line)
				continue
			}
			seen[strings.ToLower(key.Value)] = keyNode
			w := what + "." + op.Value + "." + key.Value
			var values []Str
			if valNode.Kind == yaml.SequenceNode {
				values = l.strList(w, valNode)
				if len(valNode.Content) == 0 {
					l.errorf(valNode, "%s needs at least one value", w)
				}
			} else if s := l.str(w, valNode); s.Set {
				values = []Str{s}
			}
			out = append(out, Condition{Operator: op, Key: key, Values: values})
		}
	}
	return out
}
