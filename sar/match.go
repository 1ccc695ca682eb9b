package sar

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Glob reports whether s matches pattern, where * matches any run of
// characters (possibly empty), ? matches exactly one character, and every
// other character matches itself: IAM's wildcards, and nothing else (unlike
// path.Match, [ and \ are plain characters). It is case-sensitive; fold
// both sides first for IAM actions and condition keys.
func Glob(pattern, s string) bool {
	// Iterative matcher: on a mismatch, retry from the last * with one more
	// character consumed. Linear in practice, O(len(p)*len(s)) at worst.
	p, px, sx := pattern, 0, 0
	starP, starS := -1, 0
	for sx < len(s) {
		if px < len(p) {
			switch c := p[px]; c {
			case '*':
				starP, starS = px, sx
				px++
				continue
			case '?':
				_, w := utf8.DecodeRuneInString(s[sx:])
				px, sx = px+1, sx+w
				continue
			default:
				if c == s[sx] {
					px, sx = px+1, sx+1
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		_, w := utf8.DecodeRuneInString(s[starS:])
		starS += w
		px, sx = starP+1, starS
	}
	for px < len(p) && p[px] == '*' {
		px++
	}
	return px == len(p)
}

// A pattern is a string over three kinds of token: a literal character, a
// wildcard that matches any run of characters, and ? that matches one.
type tok struct {
	kind    byte // lit, anyRun, oneChar
	c       rune // for lit, lower-cased
	noSlash bool // for anyRun: the run has no / (see slashFree)
}

const (
	lit byte = iota
	anyRun
	oneChar
)

// policyTokens reads a Resource (or NotResource) entry of a policy:
//   - * and ? are IAM's wildcards;
//   - ${*}, ${?} and ${$} are IAM's escapes for a literal *, ? and $;
//   - any other ${...}, an IAM policy variable (${aws:username},
//     ${aws:PrincipalTag/team, 'x'}), a template placeholder (${partition})
//     or a CloudFormation substitution (${AWS::Region}), is unknown until
//     the policy is used, so it matches any run, like *.
func policyTokens(s string) []tok {
	var out []tok
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "${") {
			if end := strings.IndexByte(s[i:], '}'); end > 0 {
				switch v := s[i+2 : i+end]; v {
				case "*", "?", "$":
					out = append(out, tok{kind: lit, c: rune(v[0])})
				default:
					out = appendAny(out, false)
				}
				i += end + 1
				continue
			}
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '*':
			out = appendAny(out, false)
		case '?':
			out = append(out, tok{kind: oneChar})
		default:
			out = append(out, tok{kind: lit, c: unicode.ToLower(r)})
		}
		i += w
	}
	return out
}

// slashFree lists placeholders, by the service of the ARN format, whose
// values AWS's naming rules keep free of "/". Without it a placeholder
// matches any run, and arn:aws:s3:::b/* would "match" the bucket format
// arn:${Partition}:s3:::${BucketName}, hiding the commonest mistake
// (s3:ListBucket on objects). The same name may allow "/" elsewhere (an
// IoT ${TopicName} is an MQTT topic), hence the service. Curated by hand,
// not from the reference; keep it short and certain.
var slashFree = map[string]bool{
	"s3/BucketName":      true, // [a-z0-9.-]
	"dynamodb/TableName": true, // [a-zA-Z0-9_.-]
	"dynamodb/IndexName": true, // [a-zA-Z0-9_.-]
	"eks/ClusterName":    true, // [0-9A-Za-z][A-Za-z0-9-_]*
	"ecs/ClusterName":    true, // [a-zA-Z0-9_-]
	"kms/KeyId":          true, // a key id or mrk-...
	"sqs/QueueName":      true, // [a-zA-Z0-9_-], .fifo
	"sns/TopicName":      true, // [a-zA-Z0-9_-], .fifo
	"route53/Id":         true, // Z..., hosted zone and health check ids
}

// formatTokens reads an ARN format of the reference: each ${Placeholder}
// (${Partition}, ${Region}, ${Account}, ${BucketName}...) and each literal
// * (a few formats have one: arn:${Partition}:artifact:::agreement/*)
// matches any run; a slashFree placeholder, any run without "/".
func formatTokens(s string) []tok {
	service := ""
	if parts := strings.SplitN(s, ":", 4); len(parts) == 4 {
		service = parts[2]
	}
	var out []tok
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "${") {
			if end := strings.IndexByte(s[i:], '}'); end > 0 {
				out = appendAny(out, slashFree[service+"/"+s[i+2:i+end]])
				i += end + 1
				continue
			}
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == '*' {
			out = appendAny(out, false)
		} else {
			out = append(out, tok{kind: lit, c: unicode.ToLower(r)})
		}
		i += w
	}
	return out
}

// appendAny appends a run wildcard, merging it with a previous one: two
// adjacent runs match what the less restricted one matches.
func appendAny(ts []tok, noSlash bool) []tok {
	if n := len(ts); n > 0 && ts[n-1].kind == anyRun {
		ts[n-1].noSlash = ts[n-1].noSlash && noSlash
		return ts
	}
	return append(ts, tok{kind: anyRun, noSlash: noSlash})
}

// segments splits tokens at their first five literal colons, as IAM splits
// an ARN into partition... resource; the sixth segment keeps its colons.
func segments(ts []tok) [][]tok {
	var out [][]tok
	start := 0
	for i, t := range ts {
		if len(out) == 5 {
			break
		}
		if t.kind == lit && t.c == ':' {
			out = append(out, ts[start:i])
			start = i + 1
		}
	}
	return append(out, ts[start:])
}

// overlap reports whether some string matches both patterns. It searches
// the pairs of positions (i, j) reachable from (0, 0): a run wildcard may
// end (step past it) or swallow the other side's next token (a no-slash run
// cannot swallow a literal /); two non-run tokens must agree on one
// character. O(len(a)*len(b)).
func overlap(a, b []tok) bool {
	n, m := len(a), len(b)
	seen := make([]bool, (n+1)*(m+1))
	var reach func(i, j int) bool
	reach = func(i, j int) bool {
		k := i*(m+1) + j
		if seen[k] {
			return false // explored already, or being explored
		}
		seen[k] = true
		if i == n && j == m {
			return true
		}
		if i < n && a[i].kind == anyRun {
			if reach(i+1, j) || (j < m && swallows(a[i], b[j]) && reach(i, j+1)) {
				return true
			}
		}
		if j < m && b[j].kind == anyRun {
			if reach(i, j+1) || (i < n && swallows(b[j], a[i]) && reach(i+1, j)) {
				return true
			}
		}
		if i < n && j < m && a[i].kind != anyRun && b[j].kind != anyRun {
			if a[i].kind == oneChar || b[j].kind == oneChar || a[i].c == b[j].c {
				return reach(i+1, j+1)
			}
		}
		return false
	}
	return reach(0, 0)
}

// swallows reports whether the run wildcard r can cover what t matches
// (for a wildcard t, some of it).
func swallows(r, t tok) bool {
	return !(r.noSlash && t.kind == lit && t.c == '/')
}

// MayMatch reports whether the policy resource could match some ARN of the
// format: false only when no ARN could match both. Case is ignored, though
// IAM compares ARNs case-sensitively, so that a wrongly-cased format in the
// reference never produces a finding.
//
// Both are split into their six colon-separated segments; the first five
// (arn, partition, service, region, account) are compared one by one, so a
// wildcard there stays within its segment, as in IAM; the sixth (resource)
// is compared whole, colons included (function:${FunctionName} against a
// policy's function:my-fn:prod). When either side has fewer than six
// segments ("*", a malformed ARN, a variable in place of the whole ARN) the
// two are compared as whole strings.
func MayMatch(policyResource, format string) bool {
	p, f := policyTokens(policyResource), formatTokens(format)
	ps, fs := segments(p), segments(f)
	if len(ps) < 6 || len(fs) < 6 {
		return overlap(p, f)
	}
	for i := range ps {
		if !overlap(ps[i], fs[i]) {
			return false
		}
	}
	return true
}

// MergedPrefixes are service prefixes that several pages of the Service
// Authorization Reference share (Elastic Load Balancing and Elastic Load
// Balancing V2 are both elasticloadbalancing). The package merges their
// resource types, but for an action both pages define it keeps one page's
// entry: elasticloadbalancing:AddTags takes only the classic loadbalancer,
// not V2's targetgroup or loadbalancer/app/, and apigateway:GET lacks V2's
// Api and Route. For such an action MayApply only asks whether the resource
// could be of any of the service's resource types, and does not judge it
// when it has none. The value lists the actions both pages define, when
// known; nil means any action of the prefix may be one. Found by finding
// actions of both versions under one prefix; recheck on each update.
var MergedPrefixes = map[string][]string{
	"apigateway":      nil, // API Gateway Management, Management V2
	"aws-marketplace": nil, // several Marketplace pages
	"elasticloadbalancing": { // ELB (classic) and ELB V2 both define these
		"AddTags", "RemoveTags", "DescribeTags", "CreateLoadBalancer", "DeleteLoadBalancer",
		"DescribeLoadBalancers", "DescribeLoadBalancerAttributes", "ModifyLoadBalancerAttributes",
		"DescribeAccountLimits",
	},
	"es":               nil, // Elasticsearch, OpenSearch
	"greengrass":       nil, // Greengrass V1, V2
	"kinesisanalytics": nil, // Kinesis Analytics V1, V2
	"lex":              nil, // Lex V1, V2
	"ses":              nil, // SES V1, V2 / Pinpoint Email
	"sms-voice":        nil, // Pinpoint SMS Voice V1, V2
}

// merged reports whether the action's entry may be another page's.
func (a *Action) merged() bool {
	names, ok := MergedPrefixes[strings.ToLower(a.Service.Prefix)]
	return ok && (names == nil || slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, a.Name) }))
}

// MayApply reports whether the policy resource could name a resource the
// action acts on: one of its resource types' ARN formats may match, or,
// for an action that takes no resource type (its only resource is "*"),
// whether the policy resource matches the literal string "*".
//
// Judge a statement as a whole: report a resource only when MayApply is
// false for every action the statement's patterns cover (a statement may
// list bucket and object actions with bucket and object ARNs), and an
// action pattern only when it is false for every resource.
func (a *Action) MayApply(policyResource string) bool {
	if overlap(policyTokens(policyResource), []tok{{kind: lit, c: '*'}}) {
		return true // "*" (or a pattern that may be "*") applies to any action
	}
	if a.merged() {
		if len(a.Resources) == 0 {
			return true // the action's entry may be the other page's
		}
		for _, rt := range a.Service.ResourceTypes {
			if rt.mayMatch(policyResource) {
				return true
			}
		}
		return false
	}
	for _, r := range a.Resources {
		if r.Type.mayMatch(policyResource) {
			return true
		}
	}
	return false
}

func (rt *ResourceType) mayMatch(policyResource string) bool {
	for _, f := range rt.Formats {
		if MayMatch(policyResource, f) {
			return true
		}
	}
	return false
}
