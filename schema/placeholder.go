package schema

import (
	"fmt"
	"strings"
)

// Placeholders that ARN-valued fields and condition values may contain.
// Each output format renders them natively (SPEC §1).
var Placeholders = []string{"partition", "region", "account", "cluster", "project", "environment"}

// Segment is one piece of a string that may contain placeholders: literal
// text, or the name of a placeholder.
type Segment struct {
	Text        string
	Placeholder string
}

// SplitPlaceholders splits s into literal text and ${name} placeholders.
// A ${...} whose content has a colon (${aws:username}) is an IAM policy
// variable, and so are IAM's escapes ${*}, ${?} and ${$}: they stay literal
// text. An unknown placeholder or an unterminated ${ is an error.
func SplitPlaceholders(s string) ([]Segment, error) {
	var out []Segment
	var lit strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			lit.WriteString(s)
			break
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return nil, fmt.Errorf("unterminated ${ in %q: close it with }", s)
		}
		name := s[i+2 : i+end]
		if strings.Contains(name, "${") {
			return nil, fmt.Errorf("%q has a ${ inside ${...}: placeholders and IAM policy variables do not nest", s)
		}
		lit.WriteString(s[:i])
		switch {
		case strings.Contains(name, ":") || name == "*" || name == "?" || name == "$":
			lit.WriteString(s[i : i+end+1])
		case isPlaceholder(name):
			if lit.Len() > 0 {
				out = append(out, Segment{Text: lit.String()})
				lit.Reset()
			}
			out = append(out, Segment{Placeholder: name})
		default:
			return nil, fmt.Errorf("unknown placeholder ${%s}%s; placeholders are ${%s}, and IAM policy variables contain a colon (${aws:username})",
				name, suggest(name, Placeholders), strings.Join(Placeholders, "}, ${"))
		}
		s = s[i+end+1:]
	}
	if lit.Len() > 0 {
		out = append(out, Segment{Text: lit.String()})
	}
	return out, nil
}

func isPlaceholder(name string) bool {
	for _, p := range Placeholders {
		if p == name {
			return true
		}
	}
	return false
}

// hasPlaceholder reports whether s contains a ${name} placeholder (not an
// IAM policy variable), for fields where placeholders are not allowed.
func hasPlaceholder(s string) bool {
	segs, err := SplitPlaceholders(s)
	if err != nil {
		return strings.Contains(s, "${")
	}
	for _, seg := range segs {
		if seg.Placeholder != "" {
			return true
		}
	}
	return false
}
