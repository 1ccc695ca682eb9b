package check

import (
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// EksctlConfig validates a ClusterConfig against eksctl's JSON Schema.
func EksctlConfig(data []byte, s *jsonschema.Schema) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("ClusterConfig does not parse: %w", err)
	}
	var found []intrinsic
	plain := toPlain(doc.Content[0], &found)
	if len(found) > 0 {
		return fmt.Errorf("ClusterConfig has a YAML tag %s at line %d; eksctl takes plain values", found[0].tag, found[0].line)
	}
	if err := ValidateValue(s, plain); err != nil {
		return fmt.Errorf("ClusterConfig does not validate against eksctl's schema: %w", err)
	}
	return nil
}
