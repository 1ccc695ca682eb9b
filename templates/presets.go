// Package templates holds eksiam's embedded data: the built-in presets (one
// YAML file per EKS add-on under presets/, its IAM statements with
// placeholders and the options that scope them) and the starter spec that
// "eksiam init" writes. It decodes and checks that data and nothing more.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed presets/*.yaml
var presetFiles embed.FS

// Preset is one add-on's policy, as presets/<name>.yaml writes it.
type Preset struct {
	Name           string
	Title          string
	Description    string
	ServiceAccount struct {
		Namespace string `yaml:"namespace"`
		Name      string `yaml:"name"`
		// CreatedBy names what creates the ServiceAccount (an EKS add-on,
		// another chart) when the preset has no chart of its own.
		CreatedBy string `yaml:"createdBy"`
	} `yaml:"serviceAccount"`
	// ManagedPolicies are AWS-managed policies by their name after
	// "policy/" (service-role/AmazonEBSCSIDriverPolicy).
	ManagedPolicies []string
	Options         []Option
	// OneOf names options of which a spec must give at least one (a
	// preset whose every option is optional would otherwise grant nothing).
	OneOf      []string
	Statements []Statement
	// Versions are the policy versions eksiam knows, newest first (at
	// least one); the newest's statements are Statements.
	Versions []Version
	// Chart is the Helm chart the add-on installs with, which creates its
	// ServiceAccount; nil for add-ons installed otherwise (EKS add-ons).
	Chart *Chart
	// Pinned is the version a spec pinned (name@version), or "".
	Pinned string
}

// Chart is an add-on's Helm chart and the values keys (dotted paths) that
// control the ServiceAccount it creates, as the chart's values.yaml at
// Source names them.
type Chart struct {
	Name       string `yaml:"name"`
	Repository string `yaml:"repository"`
	// CreateKey, NameKey and AnnotationsKey are the values that make the
	// chart create the ServiceAccount, name it, and annotate it (IRSA).
	CreateKey      string `yaml:"createKey"`
	NameKey        string `yaml:"nameKey"`
	AnnotationsKey string `yaml:"annotationsKey"`
	// Source is the chart's values.yaml at a commit or tag; Schema its
	// values.schema.json there, when the chart publishes one.
	Source string `yaml:"source"`
	Schema string `yaml:"schema"`
	// Values are further values (dotted keys) the chart needs when its
	// ServiceAccount's role gives the credentials (Velero's
	// credentials.useSecret: false), each with a boolean or string.
	Values map[string]any `yaml:"values"`
}

// Version is one version of a preset's policy: the add-on versions it
// serves, the upstream document it follows and when that was read, and,
// for an older version, its own statements.
type Version struct {
	Name       string      `yaml:"version"`
	Addons     string      `yaml:"addons"`
	URL        string      `yaml:"url"`
	Retrieved  string      `yaml:"retrieved"`
	Statements []Statement `yaml:"-"`
}

// NodeRoleARN, as an option's default, stands for the ARN of the spec's
// own node role, which the IAM model fills in.
const NodeRoleARN = "@nodeRoleArn"

// Option is what a user scopes a preset to, in presetOptions.
type Option struct {
	Name        string
	Description string   `yaml:"description"`
	Required    bool     `yaml:"required"`
	Pattern     string   `yaml:"pattern"`
	ARN         bool     `yaml:"arn"`
	Enum        []string `yaml:"enum"`
	Default     []string `yaml:"default"`
	Example     string   `yaml:"example"`
	// Needs are options a spec must also give when it gives this one a
	// value other than its default.
	Needs []string `yaml:"needs"`
	// pattern is Pattern compiled, when set.
	pattern *regexp.Regexp
}

// Statement is one statement of a preset. Resources and condition values
// may hold {{option}}, which expands to one string per option value; with
// Foreach, the statement repeats per value of that option and {{option}}
// (also in condition keys) is the current value. When keeps the statement
// only if each of its comma-separated clauses holds: an option has values
// ("opt"), has a value ("opt=value"), or has none ("!opt").
type Statement struct {
	Sid          string
	Effect       string
	Actions      []string
	NotActions   []string
	Resources    []string
	NotResources []string
	Conditions   []Condition
	When         string
	Foreach      string
}

// Condition is one operator and key of a statement's condition.
type Condition struct {
	Operator string
	Key      string
	Values   []string
}

// Option returns the preset's option of that name.
func (p *Preset) Option(name string) (Option, bool) {
	i := slices.IndexFunc(p.Options, func(o Option) bool { return o.Name == name })
	if i < 0 {
		return Option{}, false
	}
	return p.Options[i], true
}

var (
	loadOnce sync.Once
	presets  []*Preset
	loadErr  error
)

// Presets returns every built-in preset, sorted by name. It fails only if
// the embedded data is broken, which a test rules out.
func Presets() ([]*Preset, error) {
	loadOnce.Do(func() { presets, loadErr = loadPresets(presetFiles) })
	return presets, loadErr
}

// PresetNames lists the built-in presets' names, sorted.
func PresetNames() []string {
	ps, _ := Presets()
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

// Lookup returns the built-in preset of that name, or, for
// "name@version", that version of it (with its statements, and Pinned set).
func Lookup(ref string) (*Preset, bool) {
	name, version, pinned := strings.Cut(ref, "@")
	ps, _ := Presets()
	i := slices.IndexFunc(ps, func(p *Preset) bool { return p.Name == name })
	if i < 0 {
		return nil, false
	}
	if !pinned {
		return ps[i], true
	}
	j := slices.IndexFunc(ps[i].Versions, func(v Version) bool { return v.Name == version })
	if j < 0 {
		return nil, false
	}
	p := *ps[i]
	p.Pinned = version
	if j > 0 {
		p.Statements = ps[i].Versions[j].Statements
	}
	return &p, true
}

// ExampleValues gives every option a value, its example, and an enum all
// of its values, so that expanding with them reaches every statement: for
// tests and reviews of the whole policy a preset can grant.
func (p *Preset) ExampleValues() func(string) []string {
	return func(name string) []string {
		o, ok := p.Option(name)
		switch {
		case !ok:
			return nil
		case len(o.Enum) > 0:
			return o.Enum
		}
		return []string{o.Example}
	}
}

// Newest is the newest policy version, the one an unpinned preset follows.
func (p *Preset) Newest() Version { return p.Versions[0] }

// Followed is the version the preset follows: the pinned one, else the
// newest.
func (p *Preset) Followed() Version {
	for _, v := range p.Versions {
		if v.Name == p.Pinned {
			return v
		}
	}
	return p.Newest()
}

// VersionNames lists a preset's versions, newest first.
func (p *Preset) VersionNames() []string {
	out := make([]string, len(p.Versions))
	for i, v := range p.Versions {
		out[i] = v.Name
	}
	return out
}

func loadPresets(fsys fs.FS) ([]*Preset, error) {
	names, err := fs.Glob(fsys, "presets/*.yaml")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var out []*Preset
	var errs []string
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		p, err := ParsePreset(data)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", n, err))
			continue
		}
		if want := strings.TrimSuffix(path.Base(n), ".yaml"); p.Name != want {
			errs = append(errs, fmt.Sprintf("%s: name %q does not match the file name", n, p.Name))
			continue
		}
		out = append(out, p)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("templates: broken presets:\n%s", strings.Join(errs, "\n"))
	}
	slices.SortFunc(out, func(a, b *Preset) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

var (
	presetNameRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	optionNameRE = regexp.MustCompile(`^[a-z][A-Za-z0-9]*$`)
	sidRE        = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	actionRE     = regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z0-9*]+$`)
	optionRefRE  = regexp.MustCompile(`\{\{([^{}]*)\}\}`)
)

// ParsePreset decodes and checks one preset file: known keys only, the
// options that statements refer to declared, sids unique.
func ParsePreset(data []byte) (*Preset, error) {
	var raw struct {
		Name            string         `yaml:"name"`
		Title           string         `yaml:"title"`
		Description     string         `yaml:"description"`
		ServiceAccount  yaml.Node      `yaml:"serviceAccount"`
		ManagedPolicies []string       `yaml:"managedPolicies"`
		Options         yaml.Node      `yaml:"options"`
		OneOf           []string       `yaml:"oneOf"`
		Chart           *Chart         `yaml:"chart"`
		Statements      []rawStatement `yaml:"statements"`
		Versions        []struct {
			Version    `yaml:",inline"`
			Statements []rawStatement `yaml:"statements"`
		} `yaml:"versions"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	p := Preset{Name: raw.Name, Title: raw.Title, Description: raw.Description, ManagedPolicies: raw.ManagedPolicies, OneOf: raw.OneOf, Chart: raw.Chart}
	if c := p.Chart; c != nil && (c.Name == "" || c.Repository == "" || c.CreateKey == "" || c.NameKey == "" || c.AnnotationsKey == "" || c.Source == "") {
		return nil, fmt.Errorf("chart: name, repository, createKey, nameKey, annotationsKey and source are required")
	}
	if err := raw.ServiceAccount.Decode(&p.ServiceAccount); err != nil {
		return nil, fmt.Errorf("serviceAccount: %w", err)
	}
	if !presetNameRE.MatchString(p.Name) || p.Title == "" || p.Description == "" || len(raw.Versions) == 0 {
		return nil, fmt.Errorf("name, title, description and versions are required")
	}
	if p.ServiceAccount.Namespace == "" || p.ServiceAccount.Name == "" {
		return nil, fmt.Errorf("serviceAccount.namespace and serviceAccount.name are required")
	}
	if raw.Options.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(raw.Options.Content); i += 2 {
			var o Option
			if err := raw.Options.Content[i+1].Decode(&o); err != nil {
				return nil, fmt.Errorf("option %s: %w", raw.Options.Content[i].Value, err)
			}
			o.Name = raw.Options.Content[i].Value
			if err := o.check(); err != nil {
				return nil, err
			}
			p.Options = append(p.Options, o)
		}
	}
	for _, name := range p.OneOf {
		if _, ok := p.Option(name); !ok {
			return nil, fmt.Errorf("oneOf names the unknown option %q", name)
		}
	}
	for _, o := range p.Options {
		for _, name := range o.Needs {
			if _, ok := p.Option(name); !ok {
				return nil, fmt.Errorf("option %s needs the unknown option %q", o.Name, name)
			}
		}
	}
	var err error
	if p.Statements, err = p.statements(raw.Statements); err != nil {
		return nil, err
	}
	for i, rv := range raw.Versions {
		v := rv.Version
		if v.Name == "" || v.Addons == "" || v.URL == "" || v.Retrieved == "" {
			return nil, fmt.Errorf("versions[%d]: version, addons, url and retrieved are required", i)
		}
		if slices.ContainsFunc(p.Versions, func(o Version) bool { return o.Name == v.Name }) {
			return nil, fmt.Errorf("versions[%d]: version %s is listed twice", i, v.Name)
		}
		switch {
		case i == 0 && len(rv.Statements) > 0:
			return nil, fmt.Errorf("versions[0] is the newest, whose statements are the preset's own")
		case i > 0 && len(rv.Statements) == 0:
			return nil, fmt.Errorf("versions[%d] (%s) is older than the newest and needs its own statements", i, v.Name)
		case i > 0:
			if v.Statements, err = p.statements(rv.Statements); err != nil {
				return nil, fmt.Errorf("version %s: %w", v.Name, err)
			}
		}
		p.Versions = append(p.Versions, v)
	}
	return &p, nil
}

// rawStatement is a statement as a preset file writes it.
type rawStatement struct {
	Sid          string    `yaml:"sid"`
	Effect       string    `yaml:"effect"`
	Actions      []string  `yaml:"actions"`
	NotActions   []string  `yaml:"notActions"`
	Resources    []string  `yaml:"resources"`
	NotResources []string  `yaml:"notResources"`
	Condition    yaml.Node `yaml:"condition"`
	When         string    `yaml:"when"`
	Foreach      string    `yaml:"foreach"`
}

// statements reads and checks a list of statements.
func (p *Preset) statements(raws []rawStatement) ([]Statement, error) {
	var out []Statement
	sids := map[string]bool{}
	for _, rs := range raws {
		s := Statement{Sid: rs.Sid, Effect: rs.Effect, Actions: rs.Actions, NotActions: rs.NotActions,
			Resources: rs.Resources, NotResources: rs.NotResources, When: rs.When, Foreach: rs.Foreach}
		if s.Effect == "" {
			s.Effect = "Allow"
		}
		conds, err := decodeConditions(&rs.Condition)
		if err != nil {
			return nil, fmt.Errorf("statement %s: %w", s.Sid, err)
		}
		s.Conditions = conds
		if err := p.checkStatement(s, sids); err != nil {
			return nil, fmt.Errorf("statement %s: %w", s.Sid, err)
		}
		out = append(out, s)
	}
	if len(out) == 0 && len(p.ManagedPolicies) == 0 {
		return nil, fmt.Errorf("a preset needs statements or managedPolicies")
	}
	return out, nil
}

func decodeConditions(n *yaml.Node) ([]Condition, error) {
	if n.Kind == 0 {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("condition must be a mapping")
	}
	var out []Condition
	for i := 0; i+1 < len(n.Content); i += 2 {
		op, keys := n.Content[i].Value, n.Content[i+1]
		if keys.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("condition %s must map keys to values", op)
		}
		for j := 0; j+1 < len(keys.Content); j += 2 {
			c := Condition{Operator: op, Key: keys.Content[j].Value}
			v := keys.Content[j+1]
			switch v.Kind {
			case yaml.ScalarNode:
				c.Values = []string{v.Value}
			case yaml.SequenceNode:
				if err := v.Decode(&c.Values); err != nil {
					return nil, err
				}
			default:
				return nil, fmt.Errorf("condition %s %s: values must be a string or a list", op, c.Key)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

func (o *Option) check() error {
	switch {
	case !optionNameRE.MatchString(o.Name):
		return fmt.Errorf("option %q: names are camelCase", o.Name)
	case o.Description == "" || o.Example == "":
		return fmt.Errorf("option %s: description and example are required", o.Name)
	case o.Required && len(o.Default) > 0:
		return fmt.Errorf("option %s: a required option has no default", o.Name)
	}
	if o.Pattern != "" {
		re, err := regexp.Compile(o.Pattern)
		if err != nil {
			return fmt.Errorf("option %s: pattern: %w", o.Name, err)
		}
		o.pattern = re
		if !re.MatchString(o.Example) {
			return fmt.Errorf("option %s: the example does not match the pattern", o.Name)
		}
	}
	if len(o.Enum) > 0 && !slices.Contains(o.Enum, o.Example) {
		return fmt.Errorf("option %s: the example is not among the enum values", o.Name)
	}
	return nil
}

// ValueError says whether v is a valid value of the option ("" when it is);
// ARN options are checked by the spec's ARN rules instead.
func (o Option) ValueError(v string) string {
	switch {
	case len(o.Enum) > 0 && !slices.Contains(o.Enum, v):
		return fmt.Sprintf("must be one of %s", strings.Join(o.Enum, ", "))
	case o.pattern != nil && !o.pattern.MatchString(v):
		return fmt.Sprintf("does not look like a value of %s (for example %s)", o.Name, o.Example)
	}
	return ""
}

func (p *Preset) checkStatement(s Statement, sids map[string]bool) error {
	if !sidRE.MatchString(s.Sid) || sids[s.Sid] {
		return fmt.Errorf("sid must be letters and digits, unique in the preset")
	}
	sids[s.Sid] = true
	if s.Effect != "Allow" && s.Effect != "Deny" {
		return fmt.Errorf("effect must be Allow or Deny")
	}
	if (len(s.Actions) == 0) == (len(s.NotActions) == 0) || (len(s.Resources) == 0) == (len(s.NotResources) == 0) {
		return fmt.Errorf("one of actions/notActions and one of resources/notResources")
	}
	for _, a := range slices.Concat(s.Actions, s.NotActions) {
		if !actionRE.MatchString(a) {
			return fmt.Errorf("action %q must be service:Action", a)
		}
	}
	known := func(name string) bool { _, ok := p.Option(name); return ok }
	refs := []string{s.Foreach}
	for _, clause := range whenClauses(s.When) {
		if strings.HasPrefix(clause, "!") && strings.Contains(clause, "=") {
			return fmt.Errorf("when clause %q: a negated clause names an option, not a value", clause)
		}
		refs = append(refs, strings.TrimPrefix(strings.SplitN(clause, "=", 2)[0], "!"))
	}
	for _, ref := range refs {
		if ref != "" && !known(ref) {
			return fmt.Errorf("when/foreach name the unknown option %q", ref)
		}
	}
	strs := slices.Concat(s.Resources, s.NotResources)
	for _, c := range s.Conditions {
		strs = append(strs, c.Values...)
		for _, m := range optionRefRE.FindAllStringSubmatch(c.Key, -1) {
			if m[1] != s.Foreach {
				return fmt.Errorf("condition key %q may only use the foreach option", c.Key)
			}
		}
	}
	for _, str := range strs {
		refs := optionRefRE.FindAllStringSubmatch(str, -1)
		if len(refs) > 1 {
			return fmt.Errorf("%q uses more than one option", str)
		}
		for _, m := range refs {
			if !known(m[1]) {
				return fmt.Errorf("%q uses the unknown option %q", str, m[1])
			}
		}
	}
	return nil
}

// Expand renders the preset's statements for option values (defaults
// applied by the caller): statements whose When fails are dropped,
// Foreach statements repeat per value (sids numbered from the second on),
// and {{option}} in resources and condition values expands to one string
// per value. The strings still hold ${placeholders}.
func (p *Preset) Expand(values func(option string) []string) []Statement {
	var out []Statement
	for _, s := range p.Statements {
		if !holds(s.When, values) {
			continue
		}
		if s.Foreach == "" {
			if es, ok := expandStatement(s, values); ok {
				out = append(out, es)
			}
			continue
		}
		for i, v := range values(s.Foreach) {
			bound := func(name string) []string {
				if name == s.Foreach {
					return []string{v}
				}
				return values(name)
			}
			es, ok := expandStatement(s, bound)
			if !ok {
				continue
			}
			if i > 0 {
				es.Sid = fmt.Sprintf("%s%d", s.Sid, i+1)
			}
			for j := range es.Conditions {
				es.Conditions[j].Key = strings.ReplaceAll(es.Conditions[j].Key, "{{"+s.Foreach+"}}", v)
			}
			out = append(out, es)
		}
	}
	return out
}

// whenClauses splits a statement's When into its clauses.
func whenClauses(when string) []string {
	if when == "" {
		return nil
	}
	return strings.Split(when, ",")
}

// holds reports whether every clause of a When holds for the values.
func holds(when string, values func(string) []string) bool {
	for _, clause := range whenClauses(when) {
		if name, ok := strings.CutPrefix(clause, "!"); ok {
			if len(values(name)) > 0 {
				return false
			}
			continue
		}
		name, want, hasValue := strings.Cut(clause, "=")
		vals := values(name)
		if len(vals) == 0 || (hasValue && !slices.Contains(vals, want)) {
			return false
		}
	}
	return true
}

// expandStatement expands one statement; ok is false when an option
// without values left it with no resources.
func expandStatement(s Statement, values func(string) []string) (Statement, bool) {
	expand := func(ss []string) []string {
		var out []string
		for _, str := range ss {
			m := optionRefRE.FindStringSubmatch(str)
			if m == nil {
				out = append(out, str)
				continue
			}
			for _, v := range values(m[1]) {
				out = append(out, strings.Replace(str, m[0], v, 1))
			}
		}
		return out
	}
	e := s
	e.Resources = expand(s.Resources)
	e.NotResources = expand(s.NotResources)
	e.Conditions = make([]Condition, len(s.Conditions))
	for i, c := range s.Conditions {
		e.Conditions[i] = Condition{Operator: c.Operator, Key: c.Key, Values: expand(c.Values)}
		if len(e.Conditions[i].Values) == 0 {
			return e, false
		}
	}
	return e, len(e.Resources)+len(e.NotResources) > 0
}

// Uses reports whether a statement the values keep reads the option: in
// its resources, condition keys or values, its Foreach, or its When. An
// option a spec gives that no kept statement uses has no effect.
func (p *Preset) Uses(option string, values func(string) []string) bool {
	ref := "{{" + option + "}}"
	for _, s := range p.Statements {
		if !holds(s.When, values) {
			continue
		}
		if s.Foreach == option || slices.ContainsFunc(whenClauses(s.When), func(c string) bool {
			name, _, _ := strings.Cut(strings.TrimPrefix(c, "!"), "=")
			return name == option
		}) {
			return true
		}
		texts := append(slices.Clone(s.Resources), s.NotResources...)
		for _, c := range s.Conditions {
			texts = append(texts, c.Key)
			texts = append(texts, c.Values...)
		}
		if slices.ContainsFunc(texts, func(t string) bool { return strings.Contains(t, ref) }) {
			return true
		}
	}
	return false
}
