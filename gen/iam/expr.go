package iam

import (
	"encoding/json"
	"strings"
)

// Ref names a value that each output format renders natively: a variable
// or parameter in Terraform and CloudFormation, a plain value in eksctl.
type Ref string

// The references a model may hold. Account is folded into literal text at
// build time when the spec sets cluster.accountId.
const (
	RefPartition   Ref = "partition"
	RefRegion      Ref = "region"
	RefAccount     Ref = "account"
	RefCluster     Ref = "cluster"
	RefProject     Ref = "project"
	RefEnvironment Ref = "environment"
	// RefOIDCProviderARN and RefOIDCIssuer stand for the cluster's OIDC
	// provider when the spec leaves irsa.oidcProviderArn empty.
	RefOIDCProviderARN Ref = "oidcProviderArn"
	RefOIDCIssuer      Ref = "oidcIssuer"
	// RefNodeRoleARN is the ARN of the spec's node role, which a preset
	// option may default to: a reference to the role in Terraform and
	// CloudFormation, so that it follows the role; the ARN in eksctl.
	RefNodeRoleARN Ref = "nodeRoleArn"
)

// Part is one piece of an Expr: literal text (which may contain IAM policy
// variables such as ${aws:username}, to reach AWS unchanged) or a Ref.
type Part struct {
	Text string
	Ref  Ref
}

// Expr is a string value that may hold references. A nil Expr is absent.
type Expr []Part

// Lit is an Expr of literal text only.
func Lit(s string) Expr { return Expr{{Text: s}} }

// Refer is an Expr of one reference.
func Refer(r Ref) Expr { return Expr{{Ref: r}} }

// Concat joins expressions, merging adjacent literal text.
func Concat(es ...Expr) Expr {
	var out Expr
	for _, e := range es {
		for _, p := range e {
			if p.Ref == "" && len(out) > 0 && out[len(out)-1].Ref == "" {
				out[len(out)-1].Text += p.Text
				continue
			}
			if p.Ref == "" && p.Text == "" {
				continue
			}
			out = append(out, p)
		}
	}
	if out == nil {
		out = Expr{}
	}
	return out
}

// IsLiteral reports whether e has no references.
func (e Expr) IsLiteral() bool {
	for _, p := range e {
		if p.Ref != "" {
			return false
		}
	}
	return true
}

// Literal returns e's text when it has no references.
func (e Expr) Literal() (string, bool) {
	if !e.IsLiteral() {
		return "", false
	}
	var b strings.Builder
	for _, p := range e {
		b.WriteString(p.Text)
	}
	return b.String(), true
}

// HasRef reports whether e refers to r.
func (e Expr) HasRef(r Ref) bool {
	for _, p := range e {
		if p.Ref == r {
			return true
		}
	}
	return false
}

// String writes e as the spec would: references as ${name}. IAM policy
// variables contain a colon, so the form is unambiguous.
func (e Expr) String() string {
	var b strings.Builder
	for _, p := range e {
		if p.Ref != "" {
			b.WriteString("${" + string(p.Ref) + "}")
		} else {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

// Resolve renders e with the values that value returns for references.
func (e Expr) Resolve(value func(Ref) string) string {
	var b strings.Builder
	for _, p := range e {
		if p.Ref != "" {
			b.WriteString(value(p.Ref))
		} else {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

// ResolveAll renders expressions with the values that value returns.
func ResolveAll(es []Expr, value func(Ref) string) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Resolve(value)
	}
	return out
}

// MarshalJSON writes e in its String form, for model.json.
func (e Expr) MarshalJSON() ([]byte, error) { return json.Marshal(e.String()) }

// Compare orders expressions by their String form.
func Compare(a, b Expr) int { return strings.Compare(a.String(), b.String()) }
