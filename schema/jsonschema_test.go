package schema

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/eksiam/eksiam/internal/check"
	"github.com/eksiam/eksiam/templates"
)

func compiledSchema(t *testing.T) (*jsonschema.Schema, map[string]any) {
	t.Helper()
	data, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "spec.schema.json")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := check.CompileSchema(p)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return s, doc
}

func yamlValue(t *testing.T, path string) any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestGoldenSpecsAgreeWithJSONSchema: every golden spec that loads
// validates against the JSON Schema; the ones whose mistakes are
// structural fail it too.
func TestGoldenSpecsAgreeWithJSONSchema(t *testing.T) {
	s, _ := compiledSchema(t)
	specs, _ := filepath.Glob("../golden/*/spec.yaml")
	structural := []string{"invalid-many-mistakes", "invalid-irsa"}
	for _, p := range specs {
		dir := filepath.Base(filepath.Dir(p))
		if dir == "invalid-yaml" {
			continue
		}
		err := check.ValidateValue(s, yamlValue(t, p))
		switch {
		case !strings.HasPrefix(dir, "invalid-") && err != nil:
			t.Errorf("%s: a valid spec fails the JSON Schema: %v", dir, err)
		case slices.Contains(structural, dir) && err == nil:
			t.Errorf("%s: a structurally invalid spec passes the JSON Schema", dir)
		}
	}
	for _, p := range []string{"../examples/spec.yaml"} {
		if err := check.ValidateValue(s, yamlValue(t, p)); err != nil {
			t.Errorf("%s fails the JSON Schema: %v", p, err)
		}
	}
}

// everyMapping visits every mapping the loader knows.
const everyMapping = `version: 1
project: a
environment: b
cluster: {region: eu-west-1}
naming: {nodeRole: x}
nodeRole: {enabled: true}
irsa: {}
serviceAccounts:
  - namespace: a
    name: b
    trust: account
    sessionTags: false
    policy: [{actions: [s3:GetObject], resources: ["*"]}]
    sessionPolicy: [{actions: [s3:GetObject], resources: ["*"]}]
`

// everyNodeMapping visits the node role mappings that everyMapping, which
// has the nodeRole shorthand, cannot have beside it.
const everyNodeMapping = `version: 1
project: a
environment: b
cluster: {region: eu-west-1, accountId: "111122223333"}
nodeRoles:
  - name: onprem
    kind: hybrid
    hybrid: {credentials: ssm}
`

// TestJSONSchemaHasEveryLoaderKey: every key the loader accepts is a
// property of the matching schema object, and the other way round.
func TestJSONSchemaHasEveryLoaderKey(t *testing.T) {
	_, doc := compiledSchema(t)
	defs := doc["$defs"].(map[string]any)
	props := doc["properties"].(map[string]any)
	objects := map[string]any{
		"spec":                              doc,
		"cluster":                           props["cluster"],
		"naming":                            props["naming"],
		"nodeRole":                          props["nodeRole"],
		"nodeRole.hybrid":                   props["nodeRole"].(map[string]any)["properties"].(map[string]any)["hybrid"],
		"nodeRoles[]":                       defs["nodeRole"],
		"nodeRoles[].hybrid":                defs["nodeRole"].(map[string]any)["properties"].(map[string]any)["hybrid"],
		"irsa":                              props["irsa"],
		"serviceAccounts[]":                 defs["serviceAccount"],
		"serviceAccounts[].policy[]":        defs["statement"],
		"serviceAccounts[].sessionPolicy[]": defs["statement"],
	}
	seen := map[string][]string{}
	l := &loader{file: "s.yaml", keys: func(path string, keys []string) { seen[path] = keys }}
	shorthandHybrid := strings.Replace(everyNodeMapping, "nodeRoles:\n  - name: onprem\n    kind", "nodeRole:\n    kind", 1)
	for _, spec := range []string{everyMapping, everyNodeMapping, shorthandHybrid} {
		if _, diags := loadWith(l, "s.yaml", []byte(spec)); diags.HasErrors() {
			t.Fatal(diags.Error())
		}
	}
	for path, obj := range objects {
		keys, ok := seen[path]
		if !ok {
			t.Errorf("the loader never read %s; extend everyMapping", path)
			continue
		}
		schemaProps := obj.(map[string]any)["properties"].(map[string]any)
		for _, k := range keys {
			if _, ok := schemaProps[k]; !ok && k != "principals" { // principals is read only to reject it
				t.Errorf("%s: the loader accepts %q, the JSON Schema lacks it", path, k)
			}
		}
		for k := range schemaProps {
			if !slices.Contains(keys, k) {
				t.Errorf("%s: the JSON Schema has %q, the loader rejects it", path, k)
			}
		}
	}
	for path := range seen {
		if _, ok := objects[path]; !ok {
			t.Errorf("the loader reads a mapping at %s that this test does not map to the schema", path)
		}
	}
}

func TestJSONSchemaListsPresets(t *testing.T) {
	_, doc := compiledSchema(t)
	sa := doc["$defs"].(map[string]any)["serviceAccount"].(map[string]any)["properties"].(map[string]any)
	var names []string
	for _, n := range sa["presets"].(map[string]any)["items"].(map[string]any)["enum"].([]any) {
		names = append(names, n.(string))
	}
	var want []string
	ps, _ := templates.Presets()
	for _, p := range ps {
		want = append(want, p.Name)
		for _, v := range p.Versions {
			want = append(want, p.Name+"@"+v.Name)
		}
	}
	if !slices.Equal(names, want) {
		t.Errorf("schema presets %v, want %v (each name, and name@version for the versions it records)", names, want)
	}
}
