package schema

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/eksiam/eksiam/templates"
)

//go:embed spec.schema.json
var jsonSchemaFile []byte

// JSONSchema returns the spec's JSON Schema (draft 2020-12), for editors,
// with the built-in presets' names and options filled in.
func JSONSchema() ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(jsonSchemaFile, &doc); err != nil {
		return nil, fmt.Errorf("the embedded JSON Schema is broken: %w", err)
	}
	ps, err := templates.Presets()
	if err != nil {
		return nil, err
	}
	var names, options []any
	for _, p := range ps {
		names = append(names, p.Name)
		for _, v := range p.Versions {
			names = append(names, p.Name+"@"+v.Name)
		}
		for _, o := range p.Options {
			options = appendNew(options, o.Name)
		}
	}
	sa := doc["$defs"].(map[string]any)["serviceAccount"].(map[string]any)["properties"].(map[string]any)
	sa["presets"].(map[string]any)["items"] = map[string]any{"enum": names}
	sa["presetOptions"].(map[string]any)["propertyNames"] = map[string]any{"enum": options}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

func appendNew(list []any, v string) []any {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}
