package evaluate

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksiam/eksiam/gen/iam"
	"github.com/eksiam/eksiam/templates"
)

// callList is templates/testdata/calls/<preset>.json: the API calls an
// add-on makes, each with variants out of scope that must be refused
// (templates' call-list test holds the lists' form).
type callList struct {
	Preset  string              `json:"preset"`
	Options map[string][]string `json:"options"`
	Calls   []struct {
		Action   string              `json:"action"`
		Resource string              `json:"resource"`
		Context  map[string][]string `json:"context"`
		Source   string              `json:"source"`
		Unscoped string              `json:"unscoped"`
		Denied   []struct {
			Resource string              `json:"resource"`
			Context  map[string][]string `json:"context"`
			Why      string              `json:"why"`
		} `json:"denied"`
	} `json:"calls"`
}

// TestPresetCallLists runs every preset's call list through the evaluator:
// a spec with the preset on its usual ServiceAccount and the list's
// options, for the lists' environment (aws, us-east-1, account
// 111122223333, cluster demo), built into the model as generate builds it.
// Every call must be allowed and every out-of-scope variant refused; the
// AWS-managed policies a preset attaches are evaluated from their
// upstream copies.
func TestPresetCallLists(t *testing.T) {
	ps, err := templates.Presets()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		data, err := os.ReadFile(filepath.Join("..", "..", "templates", "testdata", "calls", p.Name+".json"))
		if err != nil {
			t.Errorf("%s: %v", p.Name, err)
			continue
		}
		var list callList
		if err := json.Unmarshal(data, &list); err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		spec := "version: 1\nproject: demo\nenvironment: test\ncluster:\n  name: demo\n  region: us-east-1\n  accountId: \"111122223333\"\n" +
			"nodeRole: {enabled: false, cni: none}\nserviceAccounts:\n  - namespace: " + p.ServiceAccount.Namespace +
			"\n    name: " + p.ServiceAccount.Name + "\n    presets: [" + p.Name + "]\n"
		if len(list.Options) > 0 {
			opts, _ := json.Marshal(list.Options)
			spec += "    presetOptions: " + string(opts) + "\n"
		}
		m := model(t, spec)
		r := podRole(t, m, p.ServiceAccount.Namespace, p.ServiceAccount.Name)
		env := Env{Value: m.Value, Managed: managedPolicies(t, p)}
		for _, c := range list.Calls {
			req := Request{Action: c.Action, Resource: c.Resource, Context: SessionContext(m, r, m.Value, c.Context)}
			if d := Call(r, req, env); d.Result != Allowed {
				t.Errorf("%s: the add-on calls %s on %s (%s), which is %s %v", p.Name, c.Action, c.Resource, c.Source, d.Result, d.Unknown)
			}
			// A call is scoped when the policy refuses it on an unrelated
			// resource or without the condition keys it carries; such a
			// call needs a refused variant, or the reason it is unscoped.
			unrelated := Request{Action: c.Action, Resource: unrelatedResource, Context: req.Context}
			bare := Request{Action: c.Action, Resource: c.Resource, Context: SessionContext(m, r, m.Value, nil)}
			scoped := Call(r, unrelated, env).Result != Allowed || Call(r, bare, env).Result != Allowed
			if scoped && len(c.Denied) == 0 && c.Unscoped == "" {
				t.Errorf("%s: %s on %s: a scoped call needs a denied variant, or the reason it is unscoped", p.Name, c.Action, c.Resource)
			}
			for _, v := range c.Denied {
				res, ctx := c.Resource, c.Context
				if v.Resource != "" {
					res = v.Resource
				}
				if v.Context != nil {
					ctx = v.Context
				}
				req := Request{Action: c.Action, Resource: res, Context: SessionContext(m, r, m.Value, ctx)}
				if d := Call(r, req, env); d.Result != ImplicitDeny && d.Result != ExplicitDeny {
					t.Errorf("%s: %s on %s (%s) is %s; it must be refused", p.Name, c.Action, res, v.Why, d.Result)
				}
			}
		}
	}
}

// unrelatedResource is a resource no preset scopes to: a call the policy
// also allows on it is not scoped.
const unrelatedResource = "arn:aws:unrelated:us-west-2:999999999999:thing/other"

// managedPolicies reads the AWS-managed policies a preset attaches from
// their upstream copies, by ARN.
func managedPolicies(t *testing.T, p *templates.Preset) map[string]iam.Document {
	t.Helper()
	out := map[string]iam.Document{}
	if len(p.ManagedPolicies) == 0 {
		return out
	}
	docs, _ := filepath.Glob(filepath.Join("..", "..", "templates", "testdata", "upstream", p.Name, "policy*.json"))
	for _, path := range docs {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			ManagedPolicies []struct {
				Name     string `json:"name"`
				Document struct {
					Statement []struct {
						Effect                                   string
						Action, NotAction, Resource, NotResource json.RawMessage
						Condition                                map[string]map[string]json.RawMessage
					} `json:"Statement"`
				} `json:"document"`
			} `json:"managedPolicies"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, mp := range doc.ManagedPolicies {
			var d iam.Document
			for _, s := range mp.Document.Statement {
				st := iam.Statement{Effect: s.Effect, Actions: scalars(s.Action), NotActions: scalars(s.NotAction),
					Resources: lits(scalars(s.Resource)), NotResources: lits(scalars(s.NotResource))}
				for op, keys := range s.Condition {
					for k, v := range keys {
						st.Conditions = append(st.Conditions, iam.Condition{Operator: op, Key: iam.Lit(k), Values: lits(scalars(v))})
					}
				}
				d.Statements = append(d.Statements, st)
			}
			out["arn:aws:iam::aws:policy/"+mp.Name] = d
		}
	}
	for _, name := range p.ManagedPolicies {
		if _, ok := out["arn:aws:iam::aws:policy/"+name]; !ok {
			t.Errorf("%s: no upstream copy of the managed policy %s", p.Name, name)
		}
	}
	return out
}

func lits(ss []string) []iam.Expr {
	out := make([]iam.Expr, len(ss))
	for i, s := range ss {
		out[i] = iam.Lit(s)
	}
	return out
}

// scalars reads a policy element that is one value or a list as strings.
func scalars(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var many []any
	if json.Unmarshal(raw, &many) != nil {
		var one any
		_ = json.Unmarshal(raw, &one)
		many = []any{one}
	}
	out := make([]string, len(many))
	for i, v := range many {
		out[i] = strings.TrimSpace(fmt.Sprint(v))
	}
	return out
}
