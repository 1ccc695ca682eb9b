package iam

import (
	"bytes"
	"encoding/json"
	"strings"
)

// JSON writes d as IAM's compact JSON, with keys in IAM's usual order and a
// list of one written as a plain string. render turns each expression
// into its text: the spec's values to measure or to write literally, or a
// format's substitution syntax.
func (d Document) JSON(render func(Expr) string) string {
	var b strings.Builder
	b.WriteString(`{"Version":"2012-10-17","Statement":[`)
	for i, s := range d.Statements {
		if i > 0 {
			b.WriteByte(',')
		}
		var fields []string
		field := func(k, v string) { fields = append(fields, jsonString(k)+":"+v) }
		if s.Sid != "" {
			field("Sid", jsonString(s.Sid))
		}
		field("Effect", jsonString(s.Effect))
		if len(s.Principals) > 0 {
			var ps []string
			for _, p := range s.Principals {
				ps = append(ps, jsonString(p.Type)+":"+jsonList(renderAll(p.Identifiers, render)))
			}
			field("Principal", "{"+strings.Join(ps, ",")+"}")
		}
		if len(s.Actions) > 0 {
			field("Action", jsonList(s.Actions))
		}
		if len(s.NotActions) > 0 {
			field("NotAction", jsonList(s.NotActions))
		}
		if len(s.Resources) > 0 {
			field("Resource", jsonList(renderAll(s.Resources, render)))
		}
		if len(s.NotResources) > 0 {
			field("NotResource", jsonList(renderAll(s.NotResources, render)))
		}
		if len(s.Conditions) > 0 {
			var ops []string
			for _, g := range s.ConditionGroups() {
				var keys []string
				for _, c := range g {
					keys = append(keys, jsonString(render(c.Key))+":"+jsonList(renderAll(c.Values, render)))
				}
				ops = append(ops, jsonString(g[0].Operator)+":{"+strings.Join(keys, ",")+"}")
			}
			field("Condition", "{"+strings.Join(ops, ",")+"}")
		}
		b.WriteString("{" + strings.Join(fields, ",") + "}")
	}
	b.WriteString("]}")
	return b.String()
}

// ConditionGroups splits a statement's conditions, sorted by operator,
// into one group per operator, as IAM's JSON nests them.
func (s Statement) ConditionGroups() [][]Condition {
	var out [][]Condition
	for i, c := range s.Conditions {
		if i == 0 || c.Operator != s.Conditions[i-1].Operator {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], c)
	}
	return out
}

// IsLiteral reports whether no expression of d has a reference.
func (d Document) IsLiteral() bool {
	lit := true
	walkDocument(&d, func(e Expr) { lit = lit && e.IsLiteral() })
	return lit
}

func renderAll(es []Expr, render func(Expr) string) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = render(e)
	}
	return out
}

// jsonString encodes a string without HTML escaping. Printable ASCII
// other than quotes and backslashes, the common case, is only quoted.
func jsonString(s string) string {
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		plain = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\'
	}
	if plain {
		return `"` + s + `"`
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

func jsonList(ss []string) string {
	if len(ss) == 1 {
		return jsonString(ss[0])
	}
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = jsonString(s)
	}
	return "[" + strings.Join(q, ",") + "]"
}
