package equiv

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// FromCloudFormation resolves a template as CloudFormation would with its
// parameters' defaults, deployed in region for account in partition.
func FromCloudFormation(template []byte, partition, region, account string) (Form, error) {
	return FromCloudFormationStacks(map[string][]byte{"template.yaml": template}, "template.yaml", partition, region, account)
}

// FromCloudFormationStacks resolves a root template and the nested stacks
// it deploys (path -> content; a nested stack's TemplateURL is relative to
// the root's folder), each nested stack with the parameters the root
// passes it, into one form.
func FromCloudFormationStacks(files map[string][]byte, root, partition, region, account string) (Form, error) {
	pseudo := map[string]string{"AWS::Partition": partition, "AWS::Region": region, "AWS::AccountId": account, "AWS::StackName": "stack", "AWS::URLSuffix": "amazonaws.com"}
	c, err := newCFNEval(files[root], pseudo, nil, partition, region, account)
	if err != nil {
		return Form{}, err
	}
	f, err := c.form()
	if err != nil {
		return Form{}, err
	}
	dir := path.Dir(root)
	for id := range c.resources {
		if c.typeOf(id) != "AWS::CloudFormation::Stack" {
			continue
		}
		props := c.props(id)
		url := str(c.eval(props["TemplateURL"]))
		child, ok := files[path.Join(dir, url)]
		if !ok {
			return Form{}, fmt.Errorf("%s: no nested stack %s", id, url)
		}
		params := map[string]string{}
		for name, v := range mapping(props["Parameters"]) {
			params[name] = str(c.eval(v))
		}
		cc, err := newCFNEval(child, pseudo, params, partition, region, account)
		if err != nil {
			return Form{}, fmt.Errorf("%s: %w", url, err)
		}
		cf, err := cc.form()
		if err != nil {
			return Form{}, fmt.Errorf("%s: %w", url, err)
		}
		f.Roles = append(f.Roles, cf.Roles...)
		f.Associations = append(f.Associations, cf.Associations...)
		f.AccessEntries = append(f.AccessEntries, cf.AccessEntries...)
	}
	if c.err != nil {
		return Form{}, c.err
	}
	f.normalize()
	return f, nil
}

// newCFNEval reads a template's parameters (given, else their defaults)
// and resources.
func newCFNEval(template []byte, pseudo, given map[string]string, partition, region, account string) (*cfnEval, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(template, &doc); err != nil {
		return nil, fmt.Errorf("parsing the template: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("the template is empty")
	}
	c := &cfnEval{pseudo: pseudo, params: map[string]string{}}
	top := mapping(doc.Content[0])
	for name, p := range mapping(top["Parameters"]) {
		if v, ok := given[name]; ok {
			c.params[name] = v
		} else if d, ok := mapping(p)["Default"]; ok {
			c.params[name] = d.Value
		}
	}
	// A parameter without a default is given at deploy time; the OIDC
	// provider's stands for the one the other formats look up.
	if _, ok := mapping(top["Parameters"])["OidcProviderArn"]; ok && given == nil {
		c.params["OidcProviderArn"] = "arn:" + partition + ":iam::" + account + ":oidc-provider/" + OIDCIssuer(region)
	}
	c.resources = mapping(top["Resources"])
	return c, nil
}

type cfnEval struct {
	pseudo, params map[string]string
	resources      map[string]*yaml.Node
	err            error
}

func mapping(n *yaml.Node) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n == nil || n.Kind != yaml.MappingNode {
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		out[n.Content[i].Value] = n.Content[i+1]
	}
	return out
}

func (c *cfnEval) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf(format, args...)
	}
}

func (c *cfnEval) typeOf(name string) string {
	if r, ok := c.resources[name]; ok {
		return mapping(r)["Type"].Value
	}
	return ""
}

func (c *cfnEval) props(name string) map[string]*yaml.Node {
	return mapping(mapping(c.resources[name])["Properties"])
}

// ref is what Ref returns: a parameter's value, a pseudo parameter, a
// role's name, a managed policy's ARN (as a token naming it).
func (c *cfnEval) ref(name string) string {
	if v, ok := c.params[name]; ok {
		return v
	}
	if v, ok := c.pseudo[name]; ok {
		return v
	}
	switch c.typeOf(name) {
	case "AWS::IAM::Role":
		return str(c.eval(c.props(name)["RoleName"]))
	case "AWS::IAM::ManagedPolicy":
		return "policy:" + name
	case "AWS::IAM::InstanceProfile":
		return "instance-profile:" + name
	}
	c.fail("Ref %s resolves to nothing", name)
	return ""
}

func (c *cfnEval) getAtt(target string) string {
	res, attr, _ := strings.Cut(target, ".")
	switch {
	case c.typeOf(res) == "AWS::IAM::Role" && attr == "Arn":
		path := str(c.eval(c.props(res)["Path"]))
		if path == "" {
			path = "/"
		}
		return "arn:" + c.pseudo["AWS::Partition"] + ":iam::" + c.pseudo["AWS::AccountId"] + ":role" + path + c.ref(res)
	case c.typeOf(res) == "AWS::EKS::PodIdentityAssociation" && attr == "ExternalId":
		return "external-id"
	case c.typeOf(res) == "AWS::IAM::InstanceProfile" && attr == "Arn":
		return "instance-profile-arn:" + res
	}
	c.fail("GetAtt %s resolves to nothing", target)
	return ""
}

var subRE = regexp.MustCompile(`\$\{([^}]*)\}`)

func (c *cfnEval) sub(s string, locals map[string]string) string {
	return subRE.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		if v, ok := locals[name]; ok {
			return v
		}
		if strings.Contains(name, ".") {
			return c.getAtt(name)
		}
		return c.ref(name)
	})
}

// eval resolves a node into maps, lists and strings.
func (c *cfnEval) eval(n *yaml.Node) any {
	if n == nil {
		return nil
	}
	switch n.Tag {
	case "!Ref":
		return c.ref(n.Value)
	case "!GetAtt":
		return c.getAtt(n.Value)
	case "!Sub":
		if n.Kind == yaml.SequenceNode && len(n.Content) == 2 {
			locals := map[string]string{}
			for k, v := range mapping(n.Content[1]) {
				locals[k] = str(c.eval(v))
			}
			return c.sub(n.Content[0].Value, locals)
		}
		return c.sub(n.Value, nil)
	case "!Split":
		if len(n.Content) == 2 {
			parts := strings.Split(str(c.eval(n.Content[1])), str(c.eval(n.Content[0])))
			out := make([]any, len(parts))
			for i, p := range parts {
				out[i] = p
			}
			return out
		}
	case "!Select":
		if len(n.Content) == 2 {
			i, _ := strconv.Atoi(n.Content[0].Value)
			if l := strsAny(c.eval(n.Content[1])); i < len(l) {
				return l[i]
			}
		}
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		c.fail("line %d: unsupported intrinsic %s", n.Line, n.Tag)
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for k, v := range mapping(n) {
			m[k] = c.eval(v)
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, e := range n.Content {
			l[i] = c.eval(e)
		}
		return l
	}
	if n.Tag == "!!bool" {
		b, _ := strconv.ParseBool(n.Value)
		return b
	}
	return n.Value
}

func (c *cfnEval) form() (Form, error) {
	byName := map[string]*Role{}
	var order []string
	var f Form
	for id := range c.resources {
		if c.typeOf(id) != "AWS::IAM::Role" {
			continue
		}
		p := c.props(id)
		r := &Role{Name: c.ref(id), ManagedARNs: strs(c.eval(p["ManagedPolicyArns"]))}
		trustDoc := c.eval(p["AssumeRolePolicyDocument"])
		if js, ok := trustDoc.(string); ok {
			if err := json.Unmarshal([]byte(js), &trustDoc); err != nil {
				return Form{}, fmt.Errorf("%s trust is not JSON: %w", id, err)
			}
		}
		trust, err := fromJSONDocument(trustDoc)
		if err != nil {
			return Form{}, fmt.Errorf("%s trust: %w", id, err)
		}
		r.Trust = trust
		for _, pol := range strsAny(c.eval(p["Policies"])) {
			perms, err := fromJSONDocument(pol.(map[string]any)["PolicyDocument"])
			if err != nil {
				return Form{}, fmt.Errorf("%s policy: %w", id, err)
			}
			r.Permissions = append(r.Permissions, perms...)
		}
		byName[r.Name] = r
		order = append(order, r.Name)
	}
	for id := range c.resources {
		switch c.typeOf(id) {
		case "AWS::IAM::ManagedPolicy":
			p := c.props(id)
			perms, err := fromJSONDocument(c.eval(p["PolicyDocument"]))
			if err != nil {
				return Form{}, fmt.Errorf("%s: %w", id, err)
			}
			for _, name := range strs(c.eval(p["Roles"])) {
				if r := byName[name]; r != nil {
					r.Permissions = append(r.Permissions, perms...)
				} else {
					return Form{}, fmt.Errorf("%s: role %q is not in the template", id, name)
				}
			}
		case "AWS::EKS::AccessEntry":
			p := c.props(id)
			entry := AccessEntry{Principal: str(c.eval(p["PrincipalArn"])), Type: str(c.eval(p["Type"]))}
			for _, ap := range strsAny(c.eval(p["AccessPolicies"])) {
				m, _ := ap.(map[string]any)
				scope, _ := m["AccessScope"].(map[string]any)
				if str(scope["Type"]) != "cluster" {
					return Form{}, fmt.Errorf("%s: access scope %v, want cluster", id, scope)
				}
				entry.Policies = append(entry.Policies, str(m["PolicyArn"]))
			}
			f.AccessEntries = append(f.AccessEntries, entry)
		case "AWS::EKS::PodIdentityAssociation":
			p := c.props(id)
			arn := str(c.eval(p["RoleArn"]))
			disable, _ := c.eval(p["DisableSessionTags"]).(bool)
			a := Association{
				Cluster:        str(c.eval(p["ClusterName"])),
				Namespace:      str(c.eval(p["Namespace"])),
				ServiceAccount: str(c.eval(p["ServiceAccount"])),
				Role:           arn[strings.LastIndex(arn, "/")+1:],
				TargetRole:     str(c.eval(p["TargetRoleArn"])),
				SessionTags:    !disable,
			}
			if pol := str(c.eval(p["Policy"])); pol != "" {
				var d any
				if err := json.Unmarshal([]byte(pol), &d); err != nil {
					return Form{}, fmt.Errorf("%s: session policy is not JSON: %w", id, err)
				}
				sp, err := fromJSONDocument(d)
				if err != nil {
					return Form{}, fmt.Errorf("%s: %w", id, err)
				}
				a.SessionPolicy = sp
			}
			f.Associations = append(f.Associations, a)
		}
	}
	for _, name := range order {
		f.Roles = append(f.Roles, *byName[name])
	}
	if c.err != nil {
		return Form{}, c.err
	}
	f.normalize()
	return f, nil
}

func strsAny(v any) []any {
	l, _ := v.([]any)
	return l
}
