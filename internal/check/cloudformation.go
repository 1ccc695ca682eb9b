package check

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// CFNSchema is cfn-iam-eks.schema.json compiled, with the attributes each
// resource type exports for Fn::GetAtt.
type CFNSchema struct {
	schema *jsonschema.Schema
	getAtt map[string][]string
}

// cfnSupplement holds, in the same style, the resource types eksiam
// emits that cfn-iam-eks.schema.json lacks (with their source).
//
//go:embed reference/cfn-supplement.schema.json
var cfnSupplement []byte

// LoadCFNSchema reads and compiles cfn-iam-eks.schema.json, extended with
// the supplement's resource types.
func LoadCFNSchema(path string) (*CFNSchema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc, sup map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	if err := json.Unmarshal(cfnSupplement, &sup); err != nil {
		return nil, fmt.Errorf("parsing reference/cfn-supplement.schema.json: %w", err)
	}
	if err := extendCFN(doc, sup); err != nil {
		return nil, fmt.Errorf("extending %s: %w", path, err)
	}
	extended, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(extended))
	if err != nil {
		return nil, err
	}
	if err := c.AddResource(path, inst); err != nil {
		return nil, fmt.Errorf("adding schema %s: %w", path, err)
	}
	s, err := c.Compile(path)
	if err != nil {
		return nil, fmt.Errorf("compiling schema %s: %w", path, err)
	}
	getAtt := map[string][]string{}
	for _, m := range []map[string]any{doc, sup} {
		for t, attrs := range m["x-getatt"].(map[string]any) {
			for _, a := range attrs.([]any) {
				getAtt[t] = append(getAtt[t], a.(string))
			}
		}
	}
	return &CFNSchema{schema: s, getAtt: getAtt}, nil
}

// extendCFN adds the supplement's resource types to the reference schema:
// their definitions, their names among the allowed types, and the rule
// that checks a resource of that type against its definition.
func extendCFN(doc, sup map[string]any) error {
	defs, _ := doc["definitions"].(map[string]any)
	res, _ := doc["properties"].(map[string]any)["Resources"].(map[string]any)
	pattern, _ := res["patternProperties"].(map[string]any)["^[A-Za-z0-9]+$"].(map[string]any)
	if defs == nil || pattern == nil {
		return fmt.Errorf("the reference schema is not laid out as expected")
	}
	typeOf := pattern["properties"].(map[string]any)["Type"].(map[string]any)["anyOf"].([]any)[0].(map[string]any)
	for name, def := range sup["definitions"].(map[string]any) {
		defs[name] = def
		typeOf["enum"] = append(typeOf["enum"].([]any), name)
		pattern["allOf"] = append(pattern["allOf"].([]any), map[string]any{
			"if":   map[string]any{"properties": map[string]any{"Type": map[string]any{"const": name}}, "required": []any{"Type"}},
			"then": map[string]any{"$ref": "#/definitions/" + name},
		})
	}
	return nil
}

// pseudoParameters are CloudFormation's pseudo parameters.
var pseudoParameters = []string{
	"AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region",
	"AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
}

// intrinsic is a short-form intrinsic function found in a template.
type intrinsic struct {
	tag, value string
	line       int
	node       *yaml.Node
}

// CloudFormation checks a template: it parses as YAML; with every
// intrinsic replaced by a placeholder string, it validates against the
// resource schemas; every !Ref, !GetAtt and !Sub variable names a
// parameter, resource (and an attribute its type exports) or pseudo
// parameter; and no !Sub is without a variable.
func CloudFormation(template []byte, s *CFNSchema) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	var doc yaml.Node
	if err := yaml.Unmarshal(template, &doc); err != nil {
		return []error{fmt.Errorf("template does not parse: %w", err)}
	}
	var found []intrinsic
	plain := toPlain(doc.Content[0], &found)
	top, _ := plain.(map[string]any)
	// The reference schemas have no AWS::CloudFormation::Stack: check a
	// nested stack's properties here, and the rest against the schemas.
	forSchema := map[string]any{}
	for k, v := range top {
		forSchema[k] = v
	}
	if res, ok := top["Resources"].(map[string]any); ok {
		others := map[string]any{}
		for name, r := range res {
			rm, _ := r.(map[string]any)
			if rm["Type"] != "AWS::CloudFormation::Stack" {
				others[name] = r
				continue
			}
			props, _ := rm["Properties"].(map[string]any)
			for k := range props {
				if !slices.Contains([]string{"TemplateURL", "Parameters", "Tags", "TimeoutInMinutes", "NotificationARNs"}, k) {
					fail("%s: AWS::CloudFormation::Stack has no property %s", name, k)
				}
			}
			if url, ok := props["TemplateURL"].(string); !ok || url == "" {
				fail("%s: TemplateURL must be a string", name)
			}
			if _, ok := props["Parameters"].(map[string]any); !ok && props["Parameters"] != nil {
				fail("%s: Parameters must be a mapping", name)
			}
		}
		forSchema["Resources"] = others
	}
	if top["Resources"] == nil {
		fail("template has no Resources")
	}
	// A root of nested stacks alone has nothing the schemas cover.
	if res, _ := forSchema["Resources"].(map[string]any); len(res) > 0 {
		if err := ValidateValue(s.schema, forSchema); err != nil {
			fail("template does not validate against the resource schemas: %v", err)
		}
	}
	params, _ := top["Parameters"].(map[string]any)
	resources, _ := top["Resources"].(map[string]any)
	typeOf := func(name string) string {
		r, _ := resources[name].(map[string]any)
		t, _ := r["Type"].(string)
		return t
	}
	resolveRef := func(line int, name string) {
		if _, ok := params[name]; ok {
			return
		}
		if _, ok := resources[name]; ok {
			return
		}
		if !slices.Contains(pseudoParameters, name) {
			fail("line %d: Ref %s names no parameter, resource or pseudo parameter", line, name)
		}
	}
	resolveGetAtt := func(line int, target string) {
		res, attr, ok := strings.Cut(target, ".")
		if !ok {
			fail("line %d: GetAtt %q is not Resource.Attribute", line, target)
			return
		}
		t := typeOf(res)
		if t == "" {
			fail("line %d: GetAtt %s names no resource", line, target)
			return
		}
		if !slices.Contains(s.getAtt[t], attr) {
			fail("line %d: GetAtt %s: %s has no attribute %s", line, target, t, attr)
		}
	}
	for _, in := range found {
		switch in.tag {
		case "!Ref":
			resolveRef(in.line, in.value)
		case "!GetAtt":
			resolveGetAtt(in.line, in.value)
		case "!Sub":
			body, locals := in.value, map[string]bool{}
			if in.node.Kind == yaml.SequenceNode && len(in.node.Content) == 2 {
				body = in.node.Content[0].Value
				for k := range mapping(in.node.Content[1]) {
					locals[k] = true
				}
			}
			vars := slices.DeleteFunc(SubVariables(body), func(v string) bool { return locals[v] })
			if len(vars) == 0 && len(locals) == 0 {
				fail("line %d: !Sub %q has no variable; write the plain string", in.line, in.value)
			}
			for _, v := range vars {
				if strings.Contains(v, ".") {
					resolveGetAtt(in.line, v)
				} else {
					resolveRef(in.line, v)
				}
			}
		}
	}
	return errs
}

var subVarRE = regexp.MustCompile(`\$\{([^!}][^}]*)\}`)

// SubVariables lists the variables of a !Sub string; ${!Literal} is an
// escape, not a variable.
func SubVariables(s string) []string {
	var out []string
	for _, m := range subVarRE.FindAllStringSubmatch(s, -1) {
		out = append(out, strings.TrimSpace(m[1]))
	}
	return out
}

// toPlain converts a YAML node into maps, slices and scalars, replacing
// each short-form intrinsic by a placeholder string and recording it.
func toPlain(n *yaml.Node, found *[]intrinsic) any {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		*found = append(*found, intrinsic{tag: n.Tag, value: n.Value, line: n.Line, node: n})
		for _, c := range n.Content { // the arguments of a list-form intrinsic
			toPlain(c, found)
		}
		return "intrinsic:" + n.Tag
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = toPlain(n.Content[i+1], found)
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, c := range n.Content {
			l[i] = toPlain(c, found)
		}
		return l
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!int":
			if v, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
				return v
			}
		case "!!float":
			if v, err := strconv.ParseFloat(n.Value, 64); err == nil {
				return v
			}
		case "!!bool":
			return n.Value == "true"
		case "!!null":
			return nil
		}
		return n.Value
	}
	return nil
}

func mapping(n *yaml.Node) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n != nil && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			out[n.Content[i].Value] = n.Content[i+1]
		}
	}
	return out
}

// CloudFormationStacks checks how a root template and its nested stacks
// (path -> content, as gen renders them under cloudformation/) fit
// together: every TemplateURL names a nested stack among the files, every
// nested stack is used exactly once, and each is passed exactly the
// parameters it declares, all of them where it has no default.
func CloudFormationStacks(files map[string][]byte) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	root, ok := files["cloudformation/template.yaml"]
	if !ok {
		return []error{fmt.Errorf("no cloudformation/template.yaml")}
	}
	parse := func(path string, data []byte) map[string]*yaml.Node {
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
			fail("%s does not parse: %v", path, err)
			return nil
		}
		return mapping(doc.Content[0])
	}
	used := map[string]int{}
	for name, r := range mapping(parse("cloudformation/template.yaml", root)["Resources"]) {
		rm := mapping(r)
		if rm["Type"] == nil || rm["Type"].Value != "AWS::CloudFormation::Stack" {
			continue
		}
		props := mapping(rm["Properties"])
		url := props["TemplateURL"]
		if url == nil {
			fail("%s has no TemplateURL", name)
			continue
		}
		path := "cloudformation/" + url.Value
		used[path]++
		child, ok := files[path]
		if !ok {
			fail("%s: TemplateURL %s names no generated file", name, url.Value)
			continue
		}
		declared := mapping(parse(path, child)["Parameters"])
		passed := mapping(props["Parameters"])
		for p := range passed {
			if declared[p] == nil {
				fail("%s passes %s, which %s does not declare", name, p, path)
			}
		}
		for p, d := range declared {
			if passed[p] == nil && mapping(d)["Default"] == nil {
				fail("%s does not pass %s, which %s needs", name, p, path)
			}
		}
	}
	for path := range files {
		if strings.HasPrefix(path, "cloudformation/stacks/") && used[path] != 1 {
			fail("%s is used by %d stacks of the root template, not one", path, used[path])
		}
	}
	return errs
}
