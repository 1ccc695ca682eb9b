package yamlnode

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// writer lays out the node shapes the emitters build exactly as go-yaml's
// Encoder with SetIndent(2) does, straight into a byte slice: block
// mappings and sequences, one-line flow sequences, scalars tagged !!str,
// !!int, !!bool or a local tag such as !Sub, and head comments on mapping
// keys and sequence items. go-yaml turns every node into events and runs
// each through a state machine, which took most of the YAML emitters'
// time on large specs. Any other shape (anchors, flow mappings, empty
// collections, line and foot comments, text with line breaks, tabs or
// characters outside printable ASCII, keys over 128 characters or tagged)
// makes the writer report false, and Encode hands the whole node to
// go-yaml, so the output is go-yaml's either way; the tests hold the two
// to the same bytes.
type writer struct {
	b []byte
}

// mapping writes a non-empty block mapping whose keys sit at indent. When
// inline, the first key follows a sequence item's "- " on the same line.
func (w *writer) mapping(n *yaml.Node, indent int, inline bool) bool {
	if n.Kind != yaml.MappingNode || n.Tag != "" || n.Style != 0 || n.Anchor != "" ||
		n.LineComment != "" || n.FootComment != "" || len(n.Content) == 0 || len(n.Content)%2 != 0 {
		return false
	}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		first := i == 0 && inline
		if k.Kind != yaml.ScalarNode || k.Tag != "!!str" || k.LineComment != "" || k.FootComment != "" || len(k.Value) > 128 {
			return false
		}
		if k.HeadComment != "" {
			if first || !w.comment(k.HeadComment, indent) {
				return false
			}
		}
		if !first {
			w.indent(indent)
		}
		if !w.scalar(k, false, true, false) {
			return false
		}
		w.b = append(w.b, ':')
		if !w.value(v, indent) {
			return false
		}
	}
	return true
}

// value writes what follows "key:" in a mapping whose keys sit at indent.
func (w *writer) value(n *yaml.Node, indent int) bool {
	if n.HeadComment != "" || n.LineComment != "" || n.FootComment != "" || n.Anchor != "" {
		return false
	}
	switch {
	case n.Kind == yaml.ScalarNode:
		if !w.scalar(n, false, false, true) {
			return false
		}
	case n.Kind == yaml.SequenceNode && n.Style == yaml.FlowStyle:
		if !w.flowSeq(n, true) {
			return false
		}
	case n.Kind == yaml.MappingNode && n.Tag == "" && n.Style == 0:
		w.b = append(w.b, '\n')
		return w.mapping(n, indent+2, false)
	case n.Kind == yaml.SequenceNode && n.Style == 0:
		if n.Tag != "" {
			if !localTag(n.Tag) {
				return false
			}
			w.b = append(w.b, ' ')
			w.b = append(w.b, n.Tag...)
		}
		w.b = append(w.b, '\n')
		return w.seq(n, indent+2)
	default:
		return false
	}
	w.b = append(w.b, '\n')
	return true
}

// seq writes a non-empty block sequence whose dashes sit at indent; the
// caller has written its tag.
func (w *writer) seq(n *yaml.Node, indent int) bool {
	if n.Kind != yaml.SequenceNode || n.Style != 0 || n.Anchor != "" || n.LineComment != "" || n.FootComment != "" || len(n.Content) == 0 {
		return false
	}
	for _, item := range n.Content {
		if item.LineComment != "" || item.FootComment != "" || item.Anchor != "" {
			return false
		}
		if item.HeadComment != "" && !w.comment(item.HeadComment, indent) {
			return false
		}
		w.indent(indent)
		w.b = append(w.b, '-')
		switch {
		case item.Kind == yaml.ScalarNode:
			if !w.scalar(item, false, false, true) {
				return false
			}
		case item.Kind == yaml.SequenceNode && item.Style == yaml.FlowStyle:
			if !w.flowSeq(item, true) {
				return false
			}
		case item.Kind == yaml.MappingNode && item.Tag == "" && item.Style == 0:
			w.b = append(w.b, ' ')
			if !w.mapping(item, indent+2, true) {
				return false
			}
			continue
		default:
			return false
		}
		w.b = append(w.b, '\n')
	}
	return true
}

// flowSeq writes a non-empty one-line sequence, [a, b], with its tag.
func (w *writer) flowSeq(n *yaml.Node, space bool) bool {
	if len(n.Content) == 0 || n.Anchor != "" || n.HeadComment != "" || n.LineComment != "" || n.FootComment != "" {
		return false
	}
	if n.Tag != "" {
		if !localTag(n.Tag) {
			return false
		}
		if space {
			w.b = append(w.b, ' ')
		}
		w.b = append(w.b, n.Tag...)
		space = true
	}
	if space {
		w.b = append(w.b, ' ')
	}
	w.b = append(w.b, '[')
	for i, item := range n.Content {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		if item.HeadComment != "" || item.LineComment != "" || item.FootComment != "" || item.Anchor != "" {
			return false
		}
		switch {
		case item.Kind == yaml.ScalarNode:
			if !w.scalar(item, true, false, i > 0) {
				return false
			}
		case item.Kind == yaml.SequenceNode && item.Style == yaml.FlowStyle:
			if !w.flowSeq(item, i > 0) {
				return false
			}
		default:
			return false
		}
	}
	w.b = append(w.b, ']')
	return true
}

func (w *writer) indent(n int) {
	for range n {
		w.b = append(w.b, ' ')
	}
}

// comment writes head comment lines at indent, each behind "# " unless
// it starts with '#' already.
func (w *writer) comment(c string, indent int) bool {
	if !printableASCII(c, true) || strings.HasPrefix(c, "\n") || strings.HasSuffix(c, "\n") || strings.Contains(c, "\n\n") {
		return false
	}
	for line := range strings.SplitSeq(c, "\n") {
		w.indent(indent)
		if line[0] != '#' {
			w.b = append(w.b, '#', ' ')
		}
		w.b = append(w.b, line...)
		w.b = append(w.b, '\n')
	}
	return true
}

// scalar writes a scalar with its tag, where go-yaml keeps one, in the
// style go-yaml picks for it. space is whether a space must come first;
// flow and key are the context it stands in.
func (w *writer) scalar(n *yaml.Node, flow, key, space bool) bool {
	if (n.Style != 0 && n.Style != yaml.DoubleQuotedStyle) || n.Anchor != "" || n.LineComment != "" || n.FootComment != "" || (!key && n.HeadComment != "") {
		return false
	}
	v := n.Value
	if !printableASCII(v, false) {
		return false
	}
	// go-yaml's forceQuoting (plain text would read as another type), or a
	// string Str asked to quote.
	quote := false
	tag := ""
	switch n.Tag {
	case "!!str":
		quote = !resolvesToString(v) || n.Style == yaml.DoubleQuotedStyle
	case "!!int", "!!bool":
		if n.Style != 0 || resolvedTag(v) != n.Tag {
			return false
		}
	default:
		if n.Style != 0 || !localTag(n.Tag) {
			return false
		}
		tag = n.Tag
	}
	if tag != "" {
		if space {
			w.b = append(w.b, ' ')
		}
		w.b = append(w.b, tag...)
		space = true
	}
	switch {
	case quote:
		if space {
			w.b = append(w.b, ' ')
		}
		w.b = append(w.b, '"')
		for i := 0; i < len(v); i++ {
			if v[i] == '"' || v[i] == '\\' {
				w.b = append(w.b, '\\')
			}
			w.b = append(w.b, v[i])
		}
		w.b = append(w.b, '"')
	case !plainAllowed(v, flow) || (v == "" && (flow || key)):
		if space {
			w.b = append(w.b, ' ')
		}
		w.b = append(w.b, '\'')
		for i := 0; i < len(v); i++ {
			if v[i] == '\'' {
				w.b = append(w.b, '\'')
			}
			w.b = append(w.b, v[i])
		}
		w.b = append(w.b, '\'')
	default:
		if space && v != "" {
			w.b = append(w.b, ' ')
		}
		w.b = append(w.b, v...)
	}
	return true
}

// printableASCII reports whether s has only printable ASCII characters
// (and line breaks, when breaks).
func printableASCII(s string, breaks bool) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 || c > 0x7e) && !(breaks && c == '\n') {
			return false
		}
	}
	return true
}

// localTag reports a tag such as !Sub, which go-yaml writes as it is.
func localTag(t string) bool {
	if len(t) < 2 || t[0] != '!' {
		return false
	}
	for _, c := range t[1:] {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// Indicator classes of printable ASCII characters, as go-yaml's scalar
// analysis sorts them.
const (
	leadIndicator = 1 << iota // #,[]{}&*!|>'"%@` first: never plain
	flowIndicator             // ,?[]{} anywhere: not plain in flow context
)

var indicators = func() (t [128]uint8) {
	for _, c := range "#,[]{}&*!|>'\"%@`" {
		t[c] |= leadIndicator
	}
	for _, c := range ",?[]{}" {
		t[c] |= flowIndicator
	}
	return t
}()

// plainAllowed is go-yaml's analysis of a scalar of printable ASCII: may
// it stand unquoted in block (or, when flow, in flow) context?
func plainAllowed(v string, flow bool) bool {
	if v == "" {
		return !flow
	}
	if v[0] == ' ' || v[len(v)-1] == ' ' {
		return false
	}
	if strings.HasPrefix(v, "---") || strings.HasPrefix(v, "...") {
		return false
	}
	switch v[0] {
	case '?', ':':
		if flow || len(v) == 1 || v[1] == ' ' {
			return false
		}
	case '-':
		if len(v) == 1 || v[1] == ' ' {
			return false
		}
	default:
		if indicators[v[0]]&leadIndicator != 0 {
			return false
		}
	}
	for i := 1; i < len(v); i++ {
		switch c := v[i]; {
		case c == ':':
			if flow || i+1 == len(v) || v[i+1] == ' ' {
				return false
			}
		case c == '#':
			if v[i-1] == ' ' {
				return false
			}
		case flow && indicators[c]&flowIndicator != 0:
			return false
		}
	}
	return true
}

// resolvesToString reports whether go-yaml reads v, written plain, as a
// string rather than as null, a bool, a number or a timestamp.
func resolvesToString(v string) bool { return resolvedTag(v) == "!!str" }

var yamlStyleFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// resolvedTag is the tag go-yaml (v3) resolves a plain scalar to.
func resolvedTag(v string) string {
	switch v {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return "!!bool"
	case "", "~", "null", "Null", "NULL":
		return "!!null"
	case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
		return "!!float"
	case "<<":
		return "!!merge"
	}
	switch c := v[0]; {
	case c == '.':
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			return "!!float"
		}
	case c == '+' || c == '-' || '0' <= c && c <= '9':
		if timestamp(v) {
			return "!!timestamp"
		}
		plain := strings.ReplaceAll(v, "_", "")
		if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return "!!int"
		}
		if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return "!!int"
		}
		if yamlStyleFloat.MatchString(plain) {
			if _, err := strconv.ParseFloat(plain, 64); err == nil {
				return "!!float"
			}
		}
		for _, p := range []struct {
			prefix, sign string
			base         int
		}{{"0b", "", 2}, {"-0b", "-", 2}, {"0o", "", 8}, {"-0o", "-", 8}} {
			if digits, ok := strings.CutPrefix(plain, p.prefix); ok {
				if _, err := strconv.ParseInt(p.sign+digits, p.base, 64); err == nil {
					return "!!int"
				}
				if p.sign == "" {
					if _, err := strconv.ParseUint(digits, p.base, 64); err == nil {
						return "!!int"
					}
				}
			}
		}
	}
	return "!!str"
}

// timestamp reports whether go-yaml reads v as a timestamp: four digits, a
// dash, and one of the layouts it accepts.
func timestamp(v string) bool {
	i := 0
	for i < len(v) && '0' <= v[i] && v[i] <= '9' {
		i++
	}
	if i != 4 || i == len(v) || v[i] != '-' {
		return false
	}
	for _, layout := range []string{
		"2006-1-2", // first: policy versions are dates
		"2006-1-2T15:4:5.999999999Z07:00",
		"2006-1-2t15:4:5.999999999Z07:00",
		"2006-1-2 15:4:5.999999999",
	} {
		if _, err := time.Parse(layout, v); err == nil {
			return true
		}
	}
	return false
}

// YAML 1.1's readings of plain scalars that YAML 1.2 (and go-yaml) take
// as strings: booleans (in any case, as some readers do), base-60 and
// octal numbers, numbers with underscores, floats such as 1.2.3, the value
// and merge keys, and dates.
var (
	yaml11Bools = []string{"y", "yes", "n", "no", "true", "false", "on", "off"}
	yaml11Int   = regexp.MustCompile(`^[-+]?(0b[0-1_]+|0[0-7_]+|(0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)$`)
	yaml11Float = regexp.MustCompile(`^([-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$`)
	yaml11Date  = regexp.MustCompile(`^[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?`)
)

// yaml11NotString reports whether a YAML 1.1 reader takes v, written
// plain, for something other than a string.
func yaml11NotString(v string) bool {
	switch v {
	case "", "=", "<<", "~", "null", "Null", "NULL":
		return true
	}
	for _, b := range yaml11Bools {
		if strings.EqualFold(v, b) {
			return true
		}
	}
	c := v[0]
	if !(c == '+' || c == '-' || c == '.' || '0' <= c && c <= '9') {
		return false
	}
	return yaml11Int.MatchString(v) || yaml11Float.MatchString(v) || yaml11Date.MatchString(v)
}
