package templates

import (
	"bytes"
	_ "embed"
	"fmt"
	"text/template"
)

//go:embed starter.yaml
var starterText string

var starter = template.Must(template.New("starter").Parse(starterText))

// Starter renders the commented starter spec that "eksiam init" writes.
// The values must already be valid names: they are written as they are.
func Starter(project, environment, region, file string) ([]byte, error) {
	var b bytes.Buffer
	err := starter.Execute(&b, struct{ Project, Environment, Region, File string }{project, environment, region, file})
	if err != nil {
		return nil, fmt.Errorf("rendering the starter spec: %w", err)
	}
	return b.Bytes(), nil
}
