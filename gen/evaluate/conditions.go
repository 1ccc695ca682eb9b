package evaluate

import (
	"encoding/base64"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// condition is one operator and key of a statement, with its values
// resolved (policy variables still in them, filled per request).
type condition struct {
	operator, key string
	values        []string
}

// holds evaluates a condition against a request context as IAM does
// (IAM User Guide, reference_policies_elements_condition_operators and
// reference_policies_condition-single-vs-multi-valued-context-keys):
//   - keys match ignoring case; values as the operator says;
//   - several values of the condition are ORed, several keys and operators
//     of a statement ANDed (by the caller);
//   - a key absent from the request fails the operator, but a negated
//     operator (StringNotEquals, ArnNotLike, NotIpAddress, ...) holds, and
//     with ...IfExists every operator holds; Null tests presence itself;
//   - ForAllValues holds when every request value matches some condition
//     value (also when the key is absent or empty); ForAnyValue when at
//     least one does;
//   - a negated operator (StringNotEquals, ...) on a multi-valued key
//     without a set qualifier holds when no request value matches.
func (c condition) holds(ctx map[string][]string, vars func(string) (string, bool)) bool {
	got, present := lookup(ctx, c.key)
	op := c.operator
	set := ""
	if rest, ok := strings.CutPrefix(op, "ForAllValues:"); ok {
		set, op = "all", rest
	} else if rest, ok := strings.CutPrefix(op, "ForAnyValue:"); ok {
		set, op = "any", rest
	}
	ifExists := false
	if rest, ok := strings.CutSuffix(op, "IfExists"); ok && op != "IfExists" {
		op, ifExists = rest, true
	}
	if op == "Null" {
		wantAbsent := slices.ContainsFunc(c.values, func(v string) bool { return strings.EqualFold(v, "true") })
		return wantAbsent == (!present || len(got) == 0)
	}
	if set == "all" && (!present || len(got) == 0) {
		return true
	}
	negated := isNegated(op)
	if !present || len(got) == 0 {
		return ifExists || (set == "" && negated)
	}
	positive := op
	if negated {
		positive = strings.Replace(op, "Not", "", 1)
	}
	// matches reports whether a request value matches any condition value
	// under the positive form of the operator.
	matches := func(v string) bool {
		for _, want := range c.values {
			w, ok := fill(want, vars, wildcards(positive))
			if ok && compare(positive, w, v) {
				return true
			}
		}
		return false
	}
	switch set {
	case "all":
		for _, v := range got {
			if matches(v) == negated {
				return false
			}
		}
		return true
	case "any":
		for _, v := range got {
			if matches(v) != negated {
				return true
			}
		}
		return false
	}
	if negated {
		return !slices.ContainsFunc(got, matches)
	}
	return slices.ContainsFunc(got, matches)
}

// lookup finds a context key ignoring case.
func lookup(ctx map[string][]string, key string) ([]string, bool) {
	for k, v := range ctx {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// isNegated reports whether an operator is the negation of another.
func isNegated(op string) bool {
	switch op {
	case "StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NumericNotEquals",
		"DateNotEquals", "NotIpAddress", "ArnNotEquals", "ArnNotLike":
		return true
	}
	return false
}

// Operators are the condition operators the evaluator knows, without
// their IfExists and set forms: every one IAM has.
var Operators = []string{
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
	"StringLike", "StringNotLike",
	"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
	"NumericGreaterThan", "NumericGreaterThanEquals",
	"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
	"Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
	"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
}

// compare applies a positive operator to a condition value and a request
// value. An unknown operator matches nothing (IAM refuses such a policy).
func compare(op, want, got string) bool {
	switch op {
	case "StringEquals":
		return want == got
	case "StringEqualsIgnoreCase":
		return strings.EqualFold(want, got)
	case "StringLike":
		return glob(want, got)
	case "Bool":
		return strings.EqualFold(want, got)
	case "BinaryEquals":
		w, err1 := base64.StdEncoding.DecodeString(want)
		g, err2 := base64.StdEncoding.DecodeString(got)
		return err1 == nil && err2 == nil && string(w) == string(g)
	case "IpAddress":
		prefix, err := netip.ParsePrefix(want)
		if err != nil {
			if a, err := netip.ParseAddr(want); err == nil {
				prefix = netip.PrefixFrom(a, a.BitLen())
			} else {
				return false
			}
		}
		a, err := netip.ParseAddr(got)
		return err == nil && prefix.Contains(a)
	case "ArnEquals", "ArnLike":
		// Both take wildcards, matched within each of the ARN's six
		// colon-separated parts.
		w, g := strings.SplitN(want, ":", 6), strings.SplitN(got, ":", 6)
		if len(w) != 6 || len(g) != 6 {
			return false
		}
		for i := range w {
			if !glob(w[i], g[i]) {
				return false
			}
		}
		return true
	}
	if rest, ok := strings.CutPrefix(op, "Numeric"); ok {
		w, err1 := strconv.ParseFloat(want, 64)
		g, err2 := strconv.ParseFloat(got, 64)
		return err1 == nil && err2 == nil && ordered(rest, g-w)
	}
	if rest, ok := strings.CutPrefix(op, "Date"); ok {
		w, ok1 := date(want)
		g, ok2 := date(got)
		return ok1 && ok2 && ordered(rest, float64(g.Sub(w)))
	}
	return false
}

// ordered reports whether d = got - want satisfies a comparison suffix.
func ordered(suffix string, d float64) bool {
	switch suffix {
	case "Equals":
		return d == 0
	case "LessThan":
		return d < 0
	case "LessThanEquals":
		return d <= 0
	case "GreaterThan":
		return d > 0
	case "GreaterThanEquals":
		return d >= 0
	}
	return false
}

// date reads an ISO 8601 date or a Unix epoch time, as IAM does.
func date(s string) (time.Time, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), true
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// wildcards reports whether an operator's values are patterns.
func wildcards(op string) bool { return op == "StringLike" || op == "ArnLike" || op == "ArnEquals" }

// Within a filled pattern, these stand for a literal * and ? (from the
// escapes ${*} and ${?}, or from a variable's value), which glob matches
// only with themselves.
const (
	literalStar  = '\x00'
	literalQuery = '\x01'
)

// literal makes text safe to put into a pattern.
func literal(s string) string {
	return strings.NewReplacer("*", string(literalStar), "?", string(literalQuery)).Replace(s)
}

// fill replaces IAM policy variables (${aws:username},
// ${aws:PrincipalTag/team}) in a policy value with their values, and the
// escapes ${*}, ${?} and ${$} with the character. In a pattern, those
// characters are literal, not wildcards. It reports false when a variable
// has no value in the request (the value then matches nothing); an
// unclosed ${ is left as text.
func fill(s string, vars func(string) (string, bool), pattern bool) (string, bool) {
	lit := func(v string) string {
		if pattern {
			return literal(v)
		}
		return v
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		b.WriteString(s[:i])
		name := s[i+2 : i+end]
		switch name {
		case "*", "?", "$":
			b.WriteString(lit(name))
		default:
			v, ok := vars(name)
			if !ok {
				return "", false
			}
			b.WriteString(lit(v))
		}
		s = s[i+end+1:]
	}
}

// glob matches IAM's * (any run) and ? (any one character) wildcards, with
// literalStar and literalQuery matching only a literal * and ?.
func glob(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	pi, ti, star, mark := 0, 0, -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti] ||
			p[pi] == literalStar && t[ti] == '*' || p[pi] == literalQuery && t[ti] == '?'):
			pi++
			ti++
		case star >= 0:
			pi, mark = star+1, mark+1
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
