// Package yamlnode builds yaml.Node trees for the YAML emitters. Strings go
// through SetString, so values YAML would read as another type ("true",
// account ids, dates) come out quoted; mappings keep the order keys are
// added in; Encode writes a document behind eksiam's header.
package yamlnode

import (
	"bytes"
	"fmt"
	"strconv"
	"sync/atomic"

	"go.yaml.in/yaml/v3"

	"github.com/eksiam/eksiam/gen/iam"
)

// Str is a string scalar. Where a YAML 1.1 reader would take the text
// for something else (yes, off, 12:30, 0777, =), it is double-quoted:
// go-yaml quotes only what YAML 1.2 reads otherwise, but eksctl reads its
// config through sigs.k8s.io/yaml, a YAML 1.1 parser, and tag values and
// condition values must reach AWS as the strings the spec wrote.
func Str(v string) *yaml.Node {
	n := &yaml.Node{}
	n.SetString(v)
	if n.Style == 0 && resolvesToString(v) && yaml11NotString(v) {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// Int is an integer scalar.
func Int(i int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(i)}
}

// Bool is a boolean scalar.
func Bool(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

// Tagged is a scalar with a local tag, such as !Sub.
func Tagged(tag, v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v}
}

// Seq is a block sequence.
func Seq(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Content: items}
}

// FlowSeq is a one-line sequence, for short lists of references.
func FlowSeq(items ...*yaml.Node) *yaml.Node {
	n := Seq(items...)
	n.Style = yaml.FlowStyle
	return n
}

// StrList is one string as a scalar and several as a sequence, as IAM
// documents are usually written.
func StrList(ss []string) *yaml.Node {
	if len(ss) == 1 {
		return Str(ss[0])
	}
	out := make([]*yaml.Node, len(ss))
	for i, s := range ss {
		out[i] = Str(s)
	}
	return Seq(out...)
}

// Mapping is a block mapping built in order.
type Mapping struct{ Node *yaml.Node }

// NewMapping starts an empty mapping.
func NewMapping() Mapping { return Mapping{&yaml.Node{Kind: yaml.MappingNode}} }

// Add appends a key and its value.
func (m Mapping) Add(key string, val *yaml.Node) Mapping {
	m.Node.Content = append(m.Node.Content, Str(key), val)
	return m
}

// AddCommented appends a key with comment lines above it.
func (m Mapping) AddCommented(comment, key string, val *yaml.Node) Mapping {
	k := Str(key)
	k.HeadComment = comment
	m.Node.Content = append(m.Node.Content, k, val)
	return m
}

// Len is the number of keys.
func (m Mapping) Len() int { return len(m.Node.Content) / 2 }

// Encode writes root as a YAML document indented by two spaces, after the
// given comment lines (each written as is, with its "# "). The bytes are
// go-yaml's: the shapes the emitters build are laid out by writer, which
// the tests hold to go-yaml's output, and any other by go-yaml itself.
func Encode(root *yaml.Node, comments ...string) ([]byte, error) {
	var head []byte
	for _, c := range comments {
		head = append(head, c...)
		head = append(head, '\n')
	}
	if out, ok := encodeFast(head, root, 0); ok {
		return out, nil
	}
	goYAMLDocuments.Add(1)
	return encodeGoYAML(head, root)
}

// EncodeIndented writes root as Encode does, every line indented by n
// spaces, to nest a separately encoded piece under a key: block-style
// YAML's indentation is relative, so the piece reads the same as if
// encoded in place.
func EncodeIndented(root *yaml.Node, n int) ([]byte, error) {
	if out, ok := encodeFast(nil, root, n); ok {
		return out, nil
	}
	goYAMLDocuments.Add(1)
	out, err := encodeGoYAML(nil, root)
	return Indent(out, n), err
}

var goYAMLDocuments atomic.Int64

// GoYAMLDocuments counts the documents Encode has handed to go-yaml since
// the program started: shapes writer does not cover. The golden tests
// hold it at zero, so that no emitter slips off the fast path unnoticed.
func GoYAMLDocuments() int64 { return goYAMLDocuments.Load() }

// encodeFast appends root to head with writer, indented by indent, or
// reports false for a shape writer does not cover.
func encodeFast(head []byte, root *yaml.Node, indent int) ([]byte, bool) {
	w := writer{b: head}
	if root.HeadComment != "" || root.Tag != "" {
		return nil, false
	}
	ok := false
	switch root.Kind {
	case yaml.MappingNode:
		ok = w.mapping(root, indent, false)
	case yaml.SequenceNode:
		ok = w.seq(root, indent)
	}
	return w.b, ok
}

// encodeGoYAML appends root to head with go-yaml's Encoder.
func encodeGoYAML(head []byte, root *yaml.Node) ([]byte, error) {
	buf := bytes.NewBuffer(head)
	enc := yaml.NewEncoder(buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("encoding YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encoding YAML: %w", err)
	}
	return buf.Bytes(), nil
}

// Document writes an IAM policy document: keys in IAM's usual order, one
// value as a scalar and several as a list. value renders each expression as
// the format writes it; key renders condition keys, which YAML keys must
// hold as plain text.
func Document(d iam.Document, value func(iam.Expr) *yaml.Node, key func(iam.Expr) string) *yaml.Node {
	values := func(es []iam.Expr) *yaml.Node {
		if len(es) == 1 {
			return value(es[0])
		}
		out := make([]*yaml.Node, len(es))
		for i, e := range es {
			out[i] = value(e)
		}
		return Seq(out...)
	}
	stmts := make([]*yaml.Node, len(d.Statements))
	for i, s := range d.Statements {
		st := NewMapping()
		if s.Sid != "" {
			st.Add("Sid", Str(s.Sid))
		}
		st.Add("Effect", Str(s.Effect))
		if len(s.Principals) > 0 {
			p := NewMapping()
			for _, pr := range s.Principals {
				p.Add(pr.Type, values(pr.Identifiers))
			}
			st.Add("Principal", p.Node)
		}
		if len(s.Actions) > 0 {
			st.Add("Action", StrList(s.Actions))
		}
		if len(s.NotActions) > 0 {
			st.Add("NotAction", StrList(s.NotActions))
		}
		if len(s.Resources) > 0 {
			st.Add("Resource", values(s.Resources))
		}
		if len(s.NotResources) > 0 {
			st.Add("NotResource", values(s.NotResources))
		}
		if len(s.Conditions) > 0 {
			cond := NewMapping()
			for _, g := range s.ConditionGroups() {
				keys := NewMapping()
				for _, c := range g {
					keys.Add(key(c.Key), values(c.Values))
				}
				cond.Add(g[0].Operator, keys.Node)
			}
			st.Add("Condition", cond.Node)
		}
		stmts[i] = st.Node
	}
	return NewMapping().Add("Version", Str("2012-10-17")).Add("Statement", Seq(stmts...)).Node
}

// Indent puts n spaces before every non-empty line of a block of YAML.
func Indent(data []byte, n int) []byte {
	pad := bytes.Repeat([]byte(" "), n)
	out := make([]byte, 0, len(data)+n*bytes.Count(data, []byte("\n")))
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		if len(line) > 0 {
			out = append(out, pad...)
		}
		out = append(out, line...)
		out = append(out, '\n')
		data = rest
	}
	return out
}
