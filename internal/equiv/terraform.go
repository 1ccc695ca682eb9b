package equiv

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// tfModule is a parsed Terraform module: its blocks by kind.
type tfModule struct {
	blocks []*hclsyntax.Block
}

func (m *tfModule) all(typ string, labels ...string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, b := range m.blocks {
		if b.Type != typ {
			continue
		}
		match := true
		for i, l := range labels {
			if i >= len(b.Labels) || b.Labels[i] != l {
				match = false
			}
		}
		if match {
			out = append(out, b)
		}
	}
	return out
}

// FromTerraform evaluates a Terraform module (file name -> content) as
// Terraform would with its variables' defaults: the partition and region
// are the model's, the caller's account UnknownAccount unless the module
// writes the account.
func FromTerraform(files map[string][]byte, partition, region, account string) (Form, error) {
	e, err := newTFEval(files, partition, region, account)
	if err != nil {
		return Form{}, err
	}
	return e.form()
}

// TerraformEval evaluates a module's expressions as FromTerraform reads
// them, for tests that hold Terraform itself to the same values.
type TerraformEval struct{ e *tfEval }

// NewTerraformEval parses a module (file name -> content) and evaluates
// its variables' defaults, locals and data sources as FromTerraform does.
// Resources' arn and id, and policy documents' json, are stand-ins.
func NewTerraformEval(files map[string][]byte, partition, region, account string) (*TerraformEval, error) {
	e, err := newTFEval(files, partition, region, account)
	if err != nil {
		return nil, err
	}
	return &TerraformEval{e}, e.prepare()
}

// Blocks are the module's top-level blocks, in file name order.
func (t *TerraformEval) Blocks() []*hclsyntax.Block { return t.e.m.blocks }

// Value evaluates an expression of the module.
func (t *TerraformEval) Value(x hclsyntax.Expression) (cty.Value, error) {
	v, diags := x.Value(t.e.ctx())
	if diags.HasErrors() {
		return cty.NilVal, fmt.Errorf("%s: %s", x.Range(), diags.Error())
	}
	return v, nil
}

func newTFEval(files map[string][]byte, partition, region, account string) (*tfEval, error) {
	m := &tfModule{}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f, diags := hclsyntax.ParseConfig(files[n], n, hcl.InitialPos)
		if diags.HasErrors() {
			return nil, fmt.Errorf("parsing %s: %s", n, diags.Error())
		}
		m.blocks = append(m.blocks, f.Body.(*hclsyntax.Body).Blocks...)
	}
	e := &tfEval{m: m, vars: map[string]cty.Value{}}
	for _, b := range m.all("variable") {
		if a, ok := b.Body.Attributes["default"]; ok {
			v, diags := a.Expr.Value(&hcl.EvalContext{})
			if diags.HasErrors() {
				return nil, fmt.Errorf("variable %s: %s", b.Labels[0], diags.Error())
			}
			e.vars[b.Labels[0]] = v
		}
	}
	obj := func(k string, v cty.Value) cty.Value { return cty.ObjectVal(map[string]cty.Value{k: v}) }
	e.data = map[string]cty.Value{
		"aws_partition":       obj("current", obj("partition", cty.StringVal(partition))),
		"aws_caller_identity": obj("current", obj("account_id", cty.StringVal(account))),
	}
	// The OIDC lookups, when the module has them (count = 1 with
	// var.oidc_provider_arn at its null default).
	if len(m.all("data", "aws_eks_cluster", "this")) > 0 {
		issuer := OIDCIssuer(region)
		e.data["aws_eks_cluster"] = obj("this", cty.TupleVal([]cty.Value{
			obj("identity", cty.TupleVal([]cty.Value{obj("oidc", cty.TupleVal([]cty.Value{obj("issuer", cty.StringVal("https://"+issuer))}))})),
		}))
		e.data["aws_iam_openid_connect_provider"] = obj("cluster", cty.TupleVal([]cty.Value{
			obj("arn", cty.StringVal("arn:"+partition+":iam::"+account+":oidc-provider/"+issuer)),
		}))
	}
	e.account = account
	e.partition = partition
	return e, nil
}

type tfEval struct {
	m                  *tfModule
	vars               map[string]cty.Value
	locals             map[string]cty.Value
	data               map[string]cty.Value
	resources          map[string]cty.Value
	partition, account string
	err                error
}

func (e *tfEval) ctx() *hcl.EvalContext {
	vars := map[string]cty.Value{
		"var":   cty.ObjectVal(e.vars),
		"local": cty.ObjectVal(e.locals),
		"data":  cty.ObjectVal(e.data),
	}
	for k, v := range e.resources {
		vars[k] = v
	}
	return &hcl.EvalContext{Variables: vars, Functions: tfFunctions}
}

// tfFunctions are the Terraform functions the generated module calls.
var tfFunctions = map[string]function.Function{
	"coalesce": stdlib.CoalesceFunc,
	"split":    stdlib.SplitFunc,
	"one": function.New(&function.Spec{
		Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
		Type:   function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			l := args[0]
			switch {
			case !l.CanIterateElements():
				return cty.NilVal, fmt.Errorf("one: not a list")
			case l.LengthInt() == 0:
				return cty.NullVal(cty.DynamicPseudoType), nil
			case l.LengthInt() == 1:
				return l.Index(cty.NumberIntVal(0)), nil
			}
			return cty.NilVal, fmt.Errorf("one: more than one element")
		},
	}),
}

func (e *tfEval) value(body *hclsyntax.Body, name string) cty.Value {
	a, ok := body.Attributes[name]
	if !ok {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	v, diags := a.Expr.Value(e.ctx())
	if diags.HasErrors() && e.err == nil {
		e.err = fmt.Errorf("%s: %s", a.SrcRange, diags.Error())
	}
	return v
}

func (e *tfEval) str(body *hclsyntax.Body, name string) string {
	v := e.value(body, name)
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

func (e *tfEval) list(body *hclsyntax.Body, name string) []string {
	v := e.value(body, name)
	if v.IsNull() || !v.IsKnown() || !v.CanIterateElements() {
		return nil
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, el := it.Element()
		if el.Type() == cty.String {
			out = append(out, el.AsString())
		}
	}
	return out
}

func objects(m map[string]map[string]cty.Value) cty.Value {
	out := map[string]cty.Value{}
	for k, v := range m {
		out[k] = cty.ObjectVal(v)
	}
	return cty.ObjectVal(out)
}

// prepare evaluates the locals and gives the resources and policy
// documents their stand-in values.
func (e *tfEval) prepare() error {
	// Locals may refer to each other: evaluate them in passes, each taking
	// those whose references are known, in name order, until none is left.
	e.locals = map[string]cty.Value{}
	pending := map[string]*hclsyntax.Attribute{}
	for _, b := range e.m.all("locals") {
		for name, a := range b.Body.Attributes {
			pending[name] = a
		}
	}
	for len(pending) > 0 {
		names := make([]string, 0, len(pending))
		for name := range pending {
			names = append(names, name)
		}
		sort.Strings(names)
		progress := false
		for _, name := range names {
			v, diags := pending[name].Expr.Value(e.ctx())
			if diags.HasErrors() {
				continue
			}
			e.locals[name] = v
			delete(pending, name)
			progress = true
		}
		if !progress {
			a := pending[names[0]]
			_, diags := a.Expr.Value(e.ctx())
			return fmt.Errorf("%s: %s", a.SrcRange, diags.Error())
		}
	}
	// Policy documents are referred to by a token that names them.
	docs := map[string]map[string]cty.Value{}
	for _, b := range e.m.all("data", "aws_iam_policy_document") {
		docs[b.Labels[1]] = map[string]cty.Value{"json": cty.StringVal("doc:" + b.Labels[1])}
	}
	e.data["aws_iam_policy_document"] = objects(docs)
	// Roles first: everything else refers to them.
	roles := map[string]map[string]cty.Value{}
	for _, b := range e.m.all("resource", "aws_iam_role") {
		name, path := e.str(b.Body, "name"), e.str(b.Body, "path")
		if path == "" {
			path = "/"
		}
		arn := "arn:" + e.partition + ":iam::" + e.account + ":role" + path + name
		roles[b.Labels[1]] = map[string]cty.Value{"name": cty.StringVal(name), "id": cty.StringVal(name), "arn": cty.StringVal(arn)}
	}
	policies := map[string]map[string]cty.Value{}
	for _, b := range e.m.all("resource", "aws_iam_policy") {
		policies[b.Labels[1]] = map[string]cty.Value{"arn": cty.StringVal("policy:" + b.Labels[1])}
	}
	assocs := map[string]map[string]cty.Value{}
	for _, b := range e.m.all("resource", "aws_eks_pod_identity_association") {
		assocs[b.Labels[1]] = map[string]cty.Value{"external_id": cty.StringVal("external-id")}
	}
	e.resources = map[string]cty.Value{
		"aws_iam_role":                     objects(roles),
		"aws_iam_policy":                   objects(policies),
		"aws_eks_pod_identity_association": objects(assocs),
	}
	// An access entry exports its principal, which is known once the
	// roles are.
	entries := map[string]map[string]cty.Value{}
	for _, b := range e.m.all("resource", "aws_eks_access_entry") {
		entries[b.Labels[1]] = map[string]cty.Value{"principal_arn": cty.StringVal(e.str(b.Body, "principal_arn"))}
	}
	e.resources["aws_eks_access_entry"] = objects(entries)
	return nil
}

func (e *tfEval) form() (Form, error) {
	if err := e.prepare(); err != nil {
		return Form{}, err
	}
	byName := map[string]*Role{}
	var order []string
	for _, b := range e.m.all("resource", "aws_iam_role") {
		name := e.str(b.Body, "name")
		byName[name] = &Role{Name: name, ManagedARNs: []string{}}
		order = append(order, name)
	}
	doc := func(token string) ([]Tuple, error) {
		name, ok := strings.CutPrefix(token, "doc:")
		if !ok {
			return nil, fmt.Errorf("policy %q is not an aws_iam_policy_document", token)
		}
		blocks := e.m.all("data", "aws_iam_policy_document", name)
		if len(blocks) != 1 {
			return nil, fmt.Errorf("no data.aws_iam_policy_document.%s", name)
		}
		return e.document(blocks[0].Body), nil
	}
	roleOf := func(b *hclsyntax.Block) (*Role, error) {
		r := byName[e.str(b.Body, "role")]
		if r == nil {
			return nil, fmt.Errorf("%s.%s: role %q is not a role of the module", b.Labels[0], b.Labels[1], e.str(b.Body, "role"))
		}
		return r, nil
	}
	for _, b := range e.m.all("resource", "aws_iam_role") {
		trust, err := doc(e.str(b.Body, "assume_role_policy"))
		if err != nil {
			return Form{}, err
		}
		byName[e.str(b.Body, "name")].Trust = trust
	}
	for _, b := range e.m.all("resource", "aws_iam_role_policy") {
		r, err := roleOf(b)
		if err != nil {
			return Form{}, err
		}
		perms, err := doc(e.str(b.Body, "policy"))
		if err != nil {
			return Form{}, err
		}
		r.Permissions = append(r.Permissions, perms...)
	}
	for _, b := range e.m.all("resource", "aws_iam_role_policy_attachment") {
		r, err := roleOf(b)
		if err != nil {
			return Form{}, err
		}
		arn := e.str(b.Body, "policy_arn")
		name, own := strings.CutPrefix(arn, "policy:")
		if !own {
			r.ManagedARNs = append(r.ManagedARNs, arn)
			continue
		}
		pb := e.m.all("resource", "aws_iam_policy", name)
		if len(pb) != 1 {
			return Form{}, fmt.Errorf("no aws_iam_policy.%s", name)
		}
		perms, err := doc(e.str(pb[0].Body, "policy"))
		if err != nil {
			return Form{}, err
		}
		r.Permissions = append(r.Permissions, perms...)
	}
	var f Form
	for _, b := range e.m.all("resource", "aws_eks_pod_identity_association") {
		arn := e.str(b.Body, "role_arn")
		role := arn[strings.LastIndex(arn, "/")+1:]
		disable := e.value(b.Body, "disable_session_tags")
		f.Associations = append(f.Associations, Association{
			Cluster:        e.str(b.Body, "cluster_name"),
			Namespace:      e.str(b.Body, "namespace"),
			ServiceAccount: e.str(b.Body, "service_account"),
			Role:           role,
			TargetRole:     e.str(b.Body, "target_role_arn"),
			SessionTags:    disable.IsNull() || disable.False(),
		})
	}
	byPrincipal := map[string]*AccessEntry{}
	for _, b := range e.m.all("resource", "aws_eks_access_entry") {
		entry := AccessEntry{Principal: e.str(b.Body, "principal_arn"), Type: e.str(b.Body, "type")}
		f.AccessEntries = append(f.AccessEntries, entry)
	}
	for i := range f.AccessEntries {
		byPrincipal[f.AccessEntries[i].Principal] = &f.AccessEntries[i]
	}
	for _, b := range e.m.all("resource", "aws_eks_access_policy_association") {
		entry := byPrincipal[e.str(b.Body, "principal_arn")]
		if entry == nil {
			return Form{}, fmt.Errorf("aws_eks_access_policy_association.%s: no access entry for principal %s", b.Labels[1], e.str(b.Body, "principal_arn"))
		}
		var scope string
		for _, nb := range b.Body.Blocks {
			if nb.Type == "access_scope" {
				scope = e.str(nb.Body, "type")
			}
		}
		if scope != "cluster" {
			return Form{}, fmt.Errorf("aws_eks_access_policy_association.%s: access scope %q, want cluster", b.Labels[1], scope)
		}
		entry.Policies = append(entry.Policies, e.str(b.Body, "policy_arn"))
	}
	for _, name := range order {
		f.Roles = append(f.Roles, *byName[name])
	}
	if e.err != nil {
		return Form{}, e.err
	}
	f.normalize()
	return f, nil
}

// document reads an aws_iam_policy_document's statement blocks.
func (e *tfEval) document(body *hclsyntax.Body) []Tuple {
	var sts []statement
	for _, b := range body.Blocks {
		if b.Type != "statement" {
			continue
		}
		st := statement{
			effect:       e.str(b.Body, "effect"),
			actions:      e.list(b.Body, "actions"),
			notActions:   e.list(b.Body, "not_actions"),
			resources:    e.list(b.Body, "resources"),
			notResources: e.list(b.Body, "not_resources"),
		}
		for _, nb := range b.Body.Blocks {
			switch nb.Type {
			case "principals":
				for _, id := range e.list(nb.Body, "identifiers") {
					st.principals = append(st.principals, e.str(nb.Body, "type")+":"+id)
				}
			case "condition":
				st.conditions = append(st.conditions, condition(e.str(nb.Body, "test"), e.str(nb.Body, "variable"), e.list(nb.Body, "values")))
			}
		}
		sts = append(sts, st)
	}
	return tuples(sts)
}
