package templates

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/eksiam/eksiam/sar"
)

// upstreamDocument is one published policy document, or the list of
// AWS-managed policies (with their documents) an add-on's docs attach.
type upstreamDocument struct {
	Statement       []upstreamStatement `json:"Statement"`
	ManagedPolicies []struct {
		Name     string           `json:"name"`
		Document upstreamDocument `json:"document"`
	} `json:"managedPolicies"`
}

// upstreamStatement is one statement as published; its elements may be
// one value or a list (scalars reads them).
type upstreamStatement struct {
	Effect      string
	Action      json.RawMessage
	NotAction   json.RawMessage
	Resource    json.RawMessage
	NotResource json.RawMessage
	Condition   map[string]map[string]json.RawMessage
}

// deviations are a preset's deliberate differences from its upstream
// document, each action with the reason.
type deviations struct {
	Dropped map[string]string `json:"dropped"`
	Added   map[string]string `json:"added"`
}

// allowed lists a document's Allow actions, and by managed policy name
// the actions of the managed policies it names.
func (d upstreamDocument) allowed() ([]string, map[string][]string) {
	var out []string
	for _, s := range d.Statement {
		if s.Effect == "Allow" {
			out = append(out, scalars(s.Action)...)
		}
	}
	managed := map[string][]string{}
	for _, m := range d.ManagedPolicies {
		acts, _ := m.Document.allowed()
		managed[m.Name] = acts
		out = append(out, acts...)
	}
	return out, managed
}

// covers reports whether one of the patterns covers the action, as IAM
// matches them (case-insensitive, * and ?).
func covers(patterns []string, action string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return globFold(p, action) })
}

func globFold(pattern, s string) bool {
	return sar.Glob(strings.ToLower(pattern), strings.ToLower(s))
}

// TestPresetsFollowUpstream compares each preset, every option on, with
// the policy documents its add-on publishes, kept as published under
// testdata/upstream/<preset>/policy*.json with their source (source.json):
// every upstream action is granted, or listed in deviations.json as
// dropped with the reason, and every action granted is upstream's, or
// listed as added with the reason. A refresh is then a reviewed diff of
// that data.
func TestPresetsFollowUpstream(t *testing.T) {
	ps, err := Presets()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		dir := filepath.Join("testdata", "upstream", p.Name)
		if _, err := os.Stat(filepath.Join(dir, "source.json")); err != nil {
			t.Errorf("%s: no upstream document under %s (policy*.json and source.json)", p.Name, dir)
			continue
		}
		var src struct{ URL, Retrieved string }
		if data, err := os.ReadFile(filepath.Join(dir, "source.json")); err != nil || json.Unmarshal(data, &src) != nil || src.URL == "" || src.Retrieved == "" {
			t.Errorf("%s: source.json must give the document's url and the date it was retrieved", p.Name)
		}
		docs, _ := filepath.Glob(filepath.Join(dir, "policy*.json"))
		if len(docs) == 0 {
			t.Errorf("%s: no policy*.json under %s", p.Name, dir)
			continue
		}
		var upstream []string
		managed := map[string][]string{}
		for _, path := range docs {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var d upstreamDocument
			if err := json.Unmarshal(data, &d); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			acts, m := d.allowed()
			upstream = append(upstream, acts...)
			for k, v := range m {
				managed[k] = v
			}
		}
		var granted []string
		for _, s := range p.Expand(p.ExampleValues()) {
			if s.Effect == "" || s.Effect == "Allow" {
				granted = append(granted, s.Actions...)
			}
		}
		for _, m := range p.ManagedPolicies {
			granted = append(granted, managed[m]...)
		}
		var dev deviations
		if data, err := os.ReadFile(filepath.Join(dir, "deviations.json")); err == nil {
			if err := json.Unmarshal(data, &dev); err != nil {
				t.Fatalf("%s/deviations.json: %v", dir, err)
			}
		}
		for a, why := range dev.Dropped {
			if why == "" || !covers(upstream, a) || covers(granted, a) {
				t.Errorf("%s: deviations.json drops %s, which is not a dropped upstream action (or has no reason)", p.Name, a)
			}
		}
		for a, why := range dev.Added {
			if why == "" || covers(upstream, a) || !covers(granted, a) {
				t.Errorf("%s: deviations.json adds %s, which is not an added action (or has no reason)", p.Name, a)
			}
		}
		for _, a := range upstream {
			if !covers(granted, a) && dev.Dropped[a] == "" {
				t.Errorf("%s: upstream grants %s, which the preset does not (grant it, or list it as dropped with the reason)", p.Name, a)
			}
		}
		for _, a := range granted {
			if !covers(upstream, a) && dev.Added[a] == "" {
				t.Errorf("%s: the preset grants %s, which upstream does not (drop it, or list it as added with the reason)", p.Name, a)
			}
		}
	}
}
