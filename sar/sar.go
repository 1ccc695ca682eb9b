// Package sar answers questions about AWS's Service Authorization
// Reference from the table sar/internal/gen writes (table.txt, embedded):
// does an action exist, which actions does a pattern cover, which resource
// types (and ARN formats) does an action take, is a condition key known.
//
// Load reads the header and the condition keys and indexes the service
// blocks; a service is parsed the first time it is asked for, so a run that
// checks a few services pays for those only. A Table is safe for
// concurrent use. Every lookup ignores case, as IAM does for actions and
// condition keys.
package sar

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// Table is the parsed reference.
type Table struct {
	Source    string // package@version
	UpdatedAt string

	data     []byte
	blocks   map[string]*block // by lower-case prefix
	prefixes []string          // sorted lower-case prefixes

	globals  map[string]*ConditionKey // global keys, by lower-case key
	keys     map[string]*ConditionKey // every key any service lists, by lower-case key
	patterns []keyPattern             // keys with a ${...} or <...> template
}

type block struct {
	start, end int // byte range of the s line and its r and a lines
	once       sync.Once
	svc        *Service
	err        error
}

// Service is one service prefix's actions and resource types.
type Service struct {
	Prefix, Name  string
	Actions       map[string]*Action       // by lower-case name
	ResourceTypes map[string]*ResourceType // by lower-case name
	actionNames   []string                 // sorted lower-case names
}

// Action is one IAM action.
type Action struct {
	Service   *Service
	Name      string // as AWS writes it: GetObject
	Access    byte   // R, W, L, T (Tagging, Write), P (Permissions management, Write)
	Resources []ActionResource
	Keys      []string // action-level condition keys, when generated with -keys=action or all
}

// ActionResource is a resource type an action takes.
type ActionResource struct {
	Type     *ResourceType
	Required bool
}

// ResourceType is a resource type with its ARN formats (usually one).
type ResourceType struct {
	Name    string
	Formats []string // arn:${Partition}:eks:${Region}:${Account}:cluster/${ClusterName}
	Keys    []string // only with -keys=all
}

// ConditionKey is a condition key and its type (String, ArrayOfString,
// ARN, ArrayOfARN, Bool, ArrayOfBool, Numeric, Date, IPAddress; two
// services may disagree: ArrayOfString|String).
type ConditionKey struct {
	Key, Type string
	Global    bool
}

// FullName is service:Action.
func (a *Action) FullName() string { return a.Service.Prefix + ":" + a.Name }

// Parse reads a whole table and loads it.
func Parse(r io.Reader) (*Table, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return Load(data)
}

// Load reads the header, the global and service condition keys, and
// indexes the service blocks. data must not change afterwards (an embedded
// file is fine).
func Load(data []byte) (*Table, error) {
	t := &Table{
		data:    data,
		blocks:  map[string]*block{},
		globals: map[string]*ConditionKey{},
		keys:    map[string]*ConditionKey{},
	}
	pos, n := 0, 0
	for pos < len(data) {
		line, next := nextLine(data, pos)
		n++
		if len(line) > 0 && line[0] == 's' {
			break
		}
		f := fields(string(line))
		switch f[0] {
		case "", "#":
		case "v":
			if f[1] != "1" {
				return nil, fmt.Errorf("sar: line %d: unsupported format version %q", n, f[1])
			}
			t.Source, t.UpdatedAt = f[2], f[3]
		case "g", "k":
			ck := &ConditionKey{Key: f[1], Type: f[2], Global: f[0] == "g"}
			m := t.keys
			if ck.Global {
				m = t.globals
			}
			m[strings.ToLower(ck.Key)] = ck
			t.addPattern(ck)
		default:
			return nil, fmt.Errorf("sar: line %d: unexpected %q before the services", n, line)
		}
		pos = next
	}
	// Index the service blocks: each starts at a line "s\t<prefix>\t...".
	for pos < len(data) {
		end := bytes.Index(data[pos+1:], []byte("\ns\t"))
		if end < 0 {
			end = len(data)
		} else {
			end += pos + 2 // start of the next s line
		}
		line, _ := nextLine(data, pos)
		f := fields(string(line))
		if f[0] != "s" || f[1] == "" {
			return nil, fmt.Errorf("sar: bad service line %q", line)
		}
		prefix := strings.ToLower(f[1])
		t.blocks[prefix] = &block{start: pos, end: end}
		t.prefixes = append(t.prefixes, prefix)
		pos = end
	}
	slices.Sort(t.prefixes)
	return t, nil
}

// Service returns the service with the prefix, ignoring case, parsing its
// block on first use; nil if there is none.
func (t *Table) Service(prefix string) *Service {
	b := t.blocks[strings.ToLower(prefix)]
	if b == nil {
		return nil
	}
	b.once.Do(func() { b.svc, b.err = parseService(t.data[b.start:b.end]) })
	if b.err != nil {
		// The generator checks what the parser needs; a failure here is a
		// corrupt embedded table, a build problem rather than user input.
		panic(b.err)
	}
	return b.svc
}

// Prefixes lists every service prefix, lower-case and sorted.
func (t *Table) Prefixes() []string { return t.prefixes }

func parseService(data []byte) (*Service, error) {
	var svc *Service
	type pending struct {
		a   *Action
		rts []string
	}
	var todo []pending
	for pos := 0; pos < len(data); {
		line, next := nextLine(data, pos)
		pos = next
		f := fields(string(line))
		switch f[0] {
		case "", "#":
		case "s":
			svc = &Service{
				Prefix: f[1], Name: f[2],
				Actions:       map[string]*Action{},
				ResourceTypes: map[string]*ResourceType{},
			}
		case "r":
			rt := &ResourceType{Name: f[1], Formats: split(f[2]), Keys: split(f[3])}
			svc.ResourceTypes[strings.ToLower(rt.Name)] = rt
		case "a":
			if len(f[2]) != 1 {
				return nil, fmt.Errorf("sar: bad access level in %q", line)
			}
			a := &Action{Service: svc, Name: f[1], Access: f[2][0], Keys: split(f[4])}
			svc.Actions[strings.ToLower(a.Name)] = a
			svc.actionNames = append(svc.actionNames, strings.ToLower(a.Name))
			todo = append(todo, pending{a, split(f[3])})
		default:
			return nil, fmt.Errorf("sar: unexpected %q in a service block", line)
		}
	}
	// Resolve resource-type names once every r line is read.
	for _, p := range todo {
		for _, name := range p.rts {
			req := strings.HasSuffix(name, "*")
			name = strings.TrimSuffix(name, "*")
			rt := svc.ResourceTypes[strings.ToLower(name)]
			if rt == nil {
				return nil, fmt.Errorf("sar: %s: unknown resource type %q", p.a.FullName(), name)
			}
			p.a.Resources = append(p.a.Resources, ActionResource{Type: rt, Required: req})
		}
	}
	slices.Sort(svc.actionNames)
	return svc, nil
}

// nextLine returns the line at pos, without its newline, and the position
// after it.
func nextLine(data []byte, pos int) ([]byte, int) {
	if i := bytes.IndexByte(data[pos:], '\n'); i >= 0 {
		return data[pos : pos+i], pos + i + 1
	}
	return data[pos:], len(data)
}

// fields splits a line at tabs, padding to five fields so that absent
// trailing fields read as "".
func fields(line string) []string {
	f := strings.Split(line, "\t")
	for len(f) < 5 {
		f = append(f, "")
	}
	if strings.HasPrefix(f[0], "#") {
		f[0] = "#"
	}
	return f
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Action finds service:Action, ignoring case. It returns nil when there is
// no such action or name has no colon.
func (t *Table) Action(name string) *Action {
	svc, act, ok := strings.Cut(name, ":")
	if !ok {
		return nil
	}
	s := t.Service(svc)
	if s == nil {
		return nil
	}
	return s.Actions[strings.ToLower(act)]
}

// Expand returns the actions an Action-element pattern covers, in service
// then name order. IAM matches the whole "service:Action" string, ignoring
// case, with * (any run, possibly empty) and ? (any one character); nothing
// else is special. "*" covers every action (and parses every service).
func (t *Table) Expand(pattern string) []*Action {
	p := strings.ToLower(pattern)
	var out []*Action
	svcPat, actPat, ok := strings.Cut(p, ":")
	if ok && !strings.ContainsAny(svcPat, "*?") {
		// The usual case, s3:Get*: one service.
		if s := t.Service(svcPat); s != nil {
			for _, n := range s.actionNames {
				if Glob(actPat, n) {
					out = append(out, s.Actions[n])
				}
			}
		}
		return out
	}
	for _, prefix := range t.prefixes {
		// An action has one colon, so the pattern's first colon must match
		// it, and the text before must match the prefix.
		if ok && !Glob(svcPat, prefix) {
			continue
		}
		s := t.Service(prefix)
		for _, n := range s.actionNames {
			if Glob(p, prefix+":"+n) {
				out = append(out, s.Actions[n])
			}
		}
	}
	return out
}

// KnownKey reports whether a condition key is known: a global key or a key
// some service lists, exactly or by a template (aws:RequestTag/${TagKey}
// covers aws:RequestTag/team; s3:ExistingObjectTag/<key> covers
// s3:ExistingObjectTag/env). A template stands for one or more characters.
// It returns the key that matched, for messages and types.
//
// Keys listed by a service need not carry its prefix (ec2-instance-connect
// lists ec2:osuser, sts lists saml:sub and gitlab.com:project_id), so the
// lookup is over every service's keys, not the key's prefix's service.
//
// KnownKey does not decide about web-identity provider keys (see IsIdPKey):
// callers should not report those.
func (t *Table) KnownKey(key string) (*ConditionKey, bool) {
	lk := strings.ToLower(key)
	if ck, ok := t.globals[lk]; ok {
		return ck, true
	}
	if ck, ok := t.keys[lk]; ok {
		return ck, true
	}
	for _, p := range t.patterns {
		if strings.HasPrefix(lk, p.prefix) && Glob(p.glob, lk) {
			return p.key, true
		}
	}
	return nil, false
}

// IsIdPKey reports whether a condition key belongs to a web-identity or
// SAML-style provider rather than to a service: its prefix (before the
// first colon) is a host name or URL, as in
// oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub,
// token.actions.githubusercontent.com:sub, or a template such as
// ${oidcIssuer}:aud. The reference lists some of these keys but not, for
// example, token.actions.githubusercontent.com:sub or any EKS issuer's
// keys, so a checker must not call them unknown.
func IsIdPKey(key string) bool {
	prefix, _, ok := strings.Cut(key, ":")
	return ok && strings.ContainsAny(prefix, "./$")
}

type keyPattern struct {
	prefix string // lower-case text before the first template, to filter fast
	glob   string // lower-case glob: each template became ?*
	key    *ConditionKey
}

func (t *Table) addPattern(ck *ConditionKey) {
	lk := strings.ToLower(ck.Key)
	var g strings.Builder
	prefix, templated := "", false
	for i := 0; i < len(lk); i++ {
		var end int
		switch lk[i] {
		case '$':
			if i+1 < len(lk) && lk[i+1] == '{' {
				end = strings.IndexByte(lk[i:], '}')
			}
		case '<':
			end = strings.IndexByte(lk[i:], '>')
		}
		if end > 0 {
			if !templated {
				prefix = g.String()
			}
			templated = true
			g.WriteString("?*")
			i += end
			continue
		}
		if lk[i] == '*' || lk[i] == '?' {
			// Not expected in a key; keep it from acting as a wildcard.
			return
		}
		g.WriteByte(lk[i])
	}
	if templated {
		t.patterns = append(t.patterns, keyPattern{prefix: prefix, glob: g.String(), key: ck})
	}
}

// Keys lists every known condition key, global and of the services, as the
// reference writes them (templates such as ${TagKey} included), sorted.
func (t *Table) Keys() []string {
	out := make([]string, 0, len(t.globals)+len(t.keys))
	for _, ck := range t.globals {
		out = append(out, ck.Key)
	}
	for _, ck := range t.keys {
		out = append(out, ck.Key)
	}
	slices.Sort(out)
	return out
}

// ActionNames lists the service's actions as AWS writes them, sorted.
func (s *Service) ActionNames() []string {
	out := make([]string, 0, len(s.Actions))
	for _, a := range s.Actions {
		out = append(out, a.Name)
	}
	slices.Sort(out)
	return out
}
