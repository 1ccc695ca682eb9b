// Package check holds the semantic checks that give golden files their
// meaning: generated code is compared not only byte for byte but also
// against the reference data of ../shared/reference (what the Terraform AWS
// provider accepts). Tests use it; the eksiam binary does not.
package check

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// TerraformSchema is the allow-list of terraform-aws-args.json.
type TerraformSchema struct {
	Resource map[string]*BlockSchema `json:"resource"`
	Data     map[string]*BlockSchema `json:"data"`
	Meta     struct {
		MetaArguments []string `json:"meta_arguments_always_allowed"`
	} `json:"_meta"`
}

// BlockSchema lists a block's arguments, required arguments, nested blocks
// and exported attributes.
type BlockSchema struct {
	Args         []string                `json:"args"`
	Required     []string                `json:"required"`
	Blocks       []string                `json:"blocks"`
	BlockSchemas map[string]*BlockSchema `json:"block_schemas"`
	Attributes   []string                `json:"attributes"`
	Deprecated   map[string]string       `json:"deprecated"`
	Nested       map[string]any          `json:"nested_attributes"`
}

// terraformSupplement holds, in the same format, the resources eksiam
// emits that terraform-aws-args.json lacks (with their source).
//
//go:embed reference/terraform-supplement.json
var terraformSupplement []byte

// LoadTerraformSchema reads terraform-aws-args.json, with the supplement.
func LoadTerraformSchema(path string) (*TerraformSchema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the Terraform reference: %w", err)
	}
	var s TerraformSchema
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	var sup TerraformSchema
	if err := json.Unmarshal(terraformSupplement, &sup); err != nil {
		return nil, fmt.Errorf("parsing reference/terraform-supplement.json: %w", err)
	}
	for name, b := range sup.Resource {
		if _, ok := s.Resource[name]; !ok {
			s.Resource[name] = b
		}
	}
	return &s, nil
}

// Terraform checks a module (file name -> content): every file parses and
// is left unchanged by hclwrite.Format; every resource and data source type,
// argument and nested block is in the reference, required arguments are
// set, deprecated ones are not; every reference resolves to a declared
// variable, local, data source or resource and to an attribute it exports.
func Terraform(files map[string][]byte, s *TerraformSchema) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	m := &module{vars: map[string]bool{}, locals: map[string]bool{}, objects: map[string]string{}}
	var bodies []*hclsyntax.Body
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		data := files[name]
		if !bytes.Equal(hclwrite.Format(data), data) {
			fail("%s: not formatted as terraform fmt would leave it", name)
		}
		f, diags := hclsyntax.ParseConfig(data, name, hcl.InitialPos)
		if diags.HasErrors() {
			fail("%s: does not parse: %s", name, diags.Error())
			continue
		}
		body := f.Body.(*hclsyntax.Body)
		bodies = append(bodies, body)
		m.declare(body, fail)
	}
	for _, body := range bodies {
		for _, b := range body.Blocks {
			switch b.Type {
			case "resource", "data":
				schemas := s.Resource
				if b.Type == "data" {
					schemas = s.Data
				}
				bs, ok := schemas[b.Labels[0]]
				if !ok {
					fail("%s: %s type %q is not in the reference", b.DefRange(), b.Type, b.Labels[0])
					continue
				}
				checkBlock(b.Type+"."+b.Labels[0], b.Body, bs, s.Meta.MetaArguments, fail)
			}
		}
		m.checkReferences(body, s, fail)
	}
	return errs
}

// module is what a Terraform module declares.
type module struct {
	vars, locals map[string]bool
	// objects maps "data.T.N" and "T.N" to the type T.
	objects map[string]string
}

func (m *module) declare(body *hclsyntax.Body, fail func(string, ...any)) {
	for _, b := range body.Blocks {
		switch b.Type {
		case "variable":
			m.vars[b.Labels[0]] = true
		case "locals":
			for name := range b.Body.Attributes {
				m.locals[name] = true
			}
		case "resource", "data":
			key := b.Labels[0] + "." + b.Labels[1]
			if b.Type == "data" {
				key = "data." + key
			}
			if _, dup := m.objects[key]; dup {
				fail("%s: %s is declared twice", b.DefRange(), key)
			}
			m.objects[key] = b.Labels[0]
		case "terraform", "output", "provider", "module":
		default:
			fail("%s: unexpected top-level block %q", b.DefRange(), b.Type)
		}
	}
}

func checkBlock(what string, body *hclsyntax.Body, bs *BlockSchema, meta []string, fail func(string, ...any)) {
	for name, attr := range body.Attributes {
		switch {
		case slices.Contains(meta, name):
		case !slices.Contains(bs.Args, name):
			fail("%s: %s has no argument %q in the reference", attr.SrcRange, what, name)
		case bs.Deprecated[name] != "":
			fail("%s: %s argument %q is deprecated: %s", attr.SrcRange, what, name, bs.Deprecated[name])
		}
	}
	for _, req := range bs.Required {
		if _, ok := body.Attributes[req]; !ok {
			fail("%s: %s lacks the required argument %q", body.SrcRange, what, req)
		}
	}
	for _, nb := range body.Blocks {
		if nb.Type == "lifecycle" {
			continue
		}
		if !slices.Contains(bs.Blocks, nb.Type) {
			fail("%s: %s has no nested block %q in the reference", nb.DefRange(), what, nb.Type)
			continue
		}
		if bs.Deprecated[nb.Type] != "" {
			fail("%s: %s block %q is deprecated: %s", nb.DefRange(), what, nb.Type, bs.Deprecated[nb.Type])
		}
		if sub := bs.BlockSchemas[nb.Type]; sub != nil {
			checkBlock(what+"."+nb.Type, nb.Body, sub, nil, fail)
		}
	}
}

// checkReferences resolves every traversal in every expression.
func (m *module) checkReferences(body *hclsyntax.Body, s *TerraformSchema, fail func(string, ...any)) {
	var walk func(b *hclsyntax.Body, typ string)
	walk = func(b *hclsyntax.Body, typ string) {
		for name, attr := range b.Attributes {
			if typ == "variable" && name == "type" {
				continue // a type constraint, not a reference
			}
			for _, tr := range attr.Expr.Variables() {
				m.resolve(tr, s, fail)
			}
		}
		for _, nb := range b.Blocks {
			walk(nb.Body, nb.Type)
		}
	}
	walk(body, "")
}

func (m *module) resolve(tr hcl.Traversal, s *TerraformSchema, fail func(string, ...any)) {
	// Index steps ([0]) are skipped: data.x.y[0].attr checks attr.
	names := make([]string, 0, len(tr))
	for _, step := range tr {
		switch st := step.(type) {
		case hcl.TraverseRoot:
			names = append(names, st.Name)
		case hcl.TraverseAttr:
			names = append(names, st.Name)
		}
	}
	at := tr.SourceRange()
	need := func(n int) bool {
		if len(names) < n {
			fail("%s: incomplete reference %s", at, strings.Join(names, "."))
			return false
		}
		return true
	}
	switch names[0] {
	case "var":
		if need(2) && !m.vars[names[1]] {
			fail("%s: var.%s is not declared", at, names[1])
		}
	case "local":
		if need(2) && !m.locals[names[1]] {
			fail("%s: local.%s is not declared", at, names[1])
		}
	case "data":
		// A whole data source (data.x.y, as a splat's source) is a
		// reference too.
		if !need(3) {
			return
		}
		key := strings.Join(names[:3], ".")
		typ, ok := m.objects[key]
		if !ok {
			fail("%s: %s is not declared", at, key)
			return
		}
		if len(names) > 3 {
			checkAttr(at, key, names[3], s.Data[typ], fail)
		}
	default:
		if !need(2) {
			return
		}
		key := strings.Join(names[:2], ".")
		typ, ok := m.objects[key]
		if !ok {
			fail("%s: %s is not declared", at, key)
			return
		}
		if len(names) > 2 {
			checkAttr(at, key, names[2], s.Resource[typ], fail)
		}
	}
}

func checkAttr(at hcl.Range, key, attr string, bs *BlockSchema, fail func(string, ...any)) {
	if bs == nil {
		return
	}
	if attr == "id" || slices.Contains(bs.Args, attr) || slices.Contains(bs.Attributes, attr) {
		if bs.Deprecated[attr] != "" {
			fail("%s: %s.%s is deprecated: %s", at, key, attr, bs.Deprecated[attr])
		}
		return
	}
	if _, ok := bs.Nested[attr]; ok {
		return
	}
	fail("%s: %s has no attribute %q in the reference", at, key, attr)
}
