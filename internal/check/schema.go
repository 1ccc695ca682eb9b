package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// CompileSchema compiles a JSON Schema file.
func CompileSchema(path string) (*jsonschema.Schema, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening schema: %w", err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, fmt.Errorf("parsing schema %s: %w", path, err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(path, doc); err != nil {
		return nil, fmt.Errorf("adding schema %s: %w", path, err)
	}
	s, err := c.Compile(path)
	if err != nil {
		return nil, fmt.Errorf("compiling schema %s: %w", path, err)
	}
	return s, nil
}

// ValidateValue validates a Go value (maps, slices, strings, numbers,
// booleans) against a schema, through JSON so that numbers are typed as the
// validator expects.
func ValidateValue(s *jsonschema.Schema, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding instance: %w", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("decoding instance: %w", err)
	}
	return s.Validate(inst)
}
