package explain

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Formats are the report's formats.
var Formats = []string{"text", "markdown", "json", "dot", "mermaid"}

// Write renders the report in a format of Formats.
func (rep Report) Write(w io.Writer, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	case "markdown":
		return rep.markdown(w)
	case "dot":
		return rep.dot(w)
	case "mermaid":
		return rep.mermaid(w)
	}
	return rep.text(w)
}

// actions says what a grant's actions are, with what their wildcards
// cover.
func (g Grant) actions() string {
	if len(g.NotActions) > 0 {
		return fmt.Sprintf("every action but %s (%d actions)", strings.Join(g.NotActions, ", "), g.Covers)
	}
	s := strings.Join(g.Actions, ", ")
	wild := strings.ContainsAny(s, "*?")
	if wild || g.Covers != len(g.Actions) {
		s += fmt.Sprintf(" (%d actions)", g.Covers)
	}
	return s
}

func (g Grant) resources() string {
	switch {
	case len(g.NotResources) > 0:
		return "every resource but " + strings.Join(g.NotResources, ", ")
	case len(g.Resources) == 1 && g.Resources[0] == "*":
		return "any resource"
	}
	return strings.Join(g.Resources, ", ")
}

func (g Grant) source() string {
	s := g.From
	if g.Sid != "" {
		s += ", " + g.Sid
	}
	if g.At != "" {
		s += ", " + g.At
	}
	return s
}

func (rep Report) text(w io.Writer) error {
	ew := &errWriter{w: w}
	for i, r := range rep.Roles {
		if i > 0 {
			ew.printf("\n")
		}
		ew.printf("%s (role %s)\n", r.Who, r.Name)
		ew.printf("  Who can take it:\n")
		for _, t := range r.Trust {
			ew.printf("    - %s\n", t.Summary)
			ew.printf("      %s by %s\n", strings.Join(t.Actions, ", "), strings.Join(t.Principals, ", "))
			for _, c := range t.Conditions {
				ew.printf("      if %s\n", c)
			}
		}
		ew.printf("  What it can do:\n")
		if len(r.Services) == 0 && len(r.ManagedPolicies) == 0 {
			ew.printf("    nothing\n")
		}
		for _, s := range r.Services {
			ew.printf("    %s:\n", s.Prefix)
			for _, g := range s.Grants {
				ew.printf("      - %s %s on %s\n", g.Effect, g.actions(), g.resources())
				for _, c := range g.Conditions {
					ew.printf("        if %s\n", c)
				}
				ew.printf("        (%s)\n", g.source())
			}
		}
		for _, a := range r.ManagedPolicies {
			ew.printf("    managed policy %s (its content is not known offline)\n", a)
		}
		if r.Boundary != "" {
			ew.printf("  Limited by the permissions boundary %s (its content is not known offline)\n", r.Boundary)
		}
		if len(r.SessionPolicy) > 0 {
			ew.printf("  Limited, in Pod Identity sessions, by the session policy:\n")
			for _, g := range r.SessionPolicy {
				ew.printf("    - %s %s on %s\n", g.Effect, g.actions(), g.resources())
			}
		}
		if r.TargetRole != "" {
			ew.printf("  Pods get the target role %s, which this role assumes\n", r.TargetRole)
		}
		if r.AccessEntry != "" {
			ew.printf("  Its nodes join the cluster through an access entry of type %s\n", r.AccessEntry)
		}
	}
	return ew.err
}

func (rep Report) markdown(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("# Roles of %s (cluster %s)\n", rep.Spec, rep.Cluster)
	cell := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ") }
	for _, r := range rep.Roles {
		ew.printf("\n## %s\n\nRole `%s`.\n\n**Who can take it**\n\n", r.Who, r.Name)
		for _, t := range r.Trust {
			ew.printf("- %s: `%s` by %s", t.Summary, strings.Join(t.Actions, "`, `"), strings.Join(t.Principals, ", "))
			if len(t.Conditions) > 0 {
				ew.printf(", if %s", strings.Join(t.Conditions, " and "))
			}
			ew.printf("\n")
		}
		ew.printf("\n**What it can do**\n\n")
		if len(r.Services) > 0 {
			ew.printf("| service | effect | actions | resources | conditions | from |\n| --- | --- | --- | --- | --- | --- |\n")
			for _, s := range r.Services {
				for _, g := range s.Grants {
					ew.printf("| %s | %s | %s | %s | %s | %s |\n", cell(s.Prefix), g.Effect, cell(g.actions()), cell(g.resources()),
						cell(strings.Join(g.Conditions, "; ")), cell(g.source()))
				}
			}
		}
		for _, a := range r.ManagedPolicies {
			ew.printf("\n- managed policy `%s` (content not known offline)", a)
		}
		if len(r.ManagedPolicies) > 0 {
			ew.printf("\n")
		}
		if r.Boundary != "" {
			ew.printf("\nPermissions boundary `%s` (content not known offline).\n", r.Boundary)
		}
		if len(r.SessionPolicy) > 0 {
			ew.printf("\nSession policy (Pod Identity sessions):\n\n")
			for _, g := range r.SessionPolicy {
				ew.printf("- %s %s on %s\n", g.Effect, g.actions(), g.resources())
			}
		}
		if r.TargetRole != "" {
			ew.printf("\nTarget role `%s`.\n", r.TargetRole)
		}
	}
	return ew.err
}

// edges are the graph: the nodes of who (ServiceAccounts, node roles) and
// of the rest (roles, services), each by label with an id of letters and
// digits, and the edges who → role → service.
func (rep Report) edges() (who, roles map[string]string, edges [][2]string) {
	who, roles = map[string]string{}, map[string]string{}
	services := map[string]string{}
	id := func(m map[string]string, prefix, label string) string {
		if v, ok := m[label]; ok {
			return v
		}
		v := prefix + strconv.Itoa(len(m))
		m[label] = v
		return v
	}
	for _, r := range rep.Roles {
		w := id(who, "sa", r.Who)
		ro := id(roles, "role", r.Name)
		edges = append(edges, [2]string{w, ro})
		for _, s := range r.Services {
			edges = append(edges, [2]string{ro, id(services, "svc", s.Prefix)})
		}
		for _, a := range r.ManagedPolicies {
			edges = append(edges, [2]string{ro, id(services, "svc", "managed "+a[strings.LastIndex(a, "/")+1:])})
		}
	}
	for k, v := range services {
		roles[k] = v
	}
	return who, roles, edges
}

func (rep Report) dot(w io.Writer) error {
	ew := &errWriter{w: w}
	who, others, edges := rep.edges()
	ew.printf("digraph eksiam {\n  rankdir=LR;\n  node [shape=box];\n")
	for _, label := range sortedKeys(who) {
		ew.printf("  %s [label=%s, shape=ellipse];\n", who[label], strconv.Quote(label))
	}
	for _, label := range sortedKeys(others) {
		ew.printf("  %s [label=%s];\n", others[label], strconv.Quote(label))
	}
	for _, e := range edges {
		ew.printf("  %s -> %s;\n", e[0], e[1])
	}
	ew.printf("}\n")
	return ew.err
}

func (rep Report) mermaid(w io.Writer) error {
	ew := &errWriter{w: w}
	who, others, edges := rep.edges()
	quote := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, "#quot;") + `"` }
	ew.printf("flowchart LR\n")
	for _, label := range sortedKeys(who) {
		ew.printf("  %s([%s])\n", who[label], quote(label))
	}
	for _, label := range sortedKeys(others) {
		ew.printf("  %s[%s]\n", others[label], quote(label))
	}
	for _, e := range edges {
		ew.printf("  %s --> %s\n", e[0], e[1])
	}
	return ew.err
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
