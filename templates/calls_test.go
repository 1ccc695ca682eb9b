package templates

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The call lists under testdata/calls/<preset>.json record, per preset,
// the AWS API calls its add-on makes in normal operation: the action, the
// resource, the condition keys the request carries, and where in the
// add-on's code or docs the call is made. Each call may name variants of
// itself out of scope (another zone, bucket, cluster's resource) that the
// policy must refuse. TestPresetCallLists here holds the lists' form; the
// evaluator's tests (gen/evaluate) run every call through the model that
// generate builds, for the lists' environment (aws, us-east-1, account
// 111122223333, cluster demo).

type callList struct {
	Preset  string              `json:"preset"`
	Options map[string][]string `json:"options"`
	Calls   []call              `json:"calls"`
}

type call struct {
	Action   string              `json:"action"`
	Resource string              `json:"resource"`
	Context  map[string][]string `json:"context"`
	Source   string              `json:"source"`
	Note     string              `json:"note"`
	// Unscoped says why the policy deliberately allows the call on any
	// resource of its type, so it has no denied variant.
	Unscoped string `json:"unscoped"`
	// Denied are variants of the call out of scope: each replaces the
	// resource, or the whole context, or both.
	Denied []struct {
		Resource string              `json:"resource"`
		Context  map[string][]string `json:"context"`
		Why      string              `json:"why"`
	} `json:"denied"`
}

func TestPresetCallLists(t *testing.T) {
	ps, err := Presets()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		path := filepath.Join("testdata", "calls", p.Name+".json")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: no call list (%s)", p.Name, path)
			continue
		}
		var list callList
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&list); err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if list.Preset != p.Name || len(list.Calls) == 0 {
			t.Errorf("%s: names preset %q and %d calls", path, list.Preset, len(list.Calls))
			continue
		}
		for name := range list.Options {
			if _, ok := p.Option(name); !ok {
				t.Errorf("%s: option %s is not one of the preset's", path, name)
			}
		}
		for _, c := range list.Calls {
			what := c.Action + " on " + c.Resource
			if !strings.HasPrefix(c.Source, "https://") {
				t.Errorf("%s: %s: give the source of the call (https://...)", p.Name, what)
			}
			for _, d := range c.Denied {
				if d.Why == "" {
					t.Errorf("%s: %s: say why the variant must be denied", p.Name, what)
				}
				if d.Resource == "" && d.Context == nil {
					t.Errorf("%s: %s: a denied variant changes the resource, the context or both", p.Name, what)
				}
			}
		}
	}
}

// scalars reads a policy element that is one value or a list, strings,
// booleans or numbers, as strings.
func scalars(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var many []any
	if json.Unmarshal(raw, &many) != nil {
		var one any
		json.Unmarshal(raw, &one)
		many = []any{one}
	}
	out := make([]string, len(many))
	for i, v := range many {
		out[i] = fmt.Sprint(v)
	}
	return out
}
