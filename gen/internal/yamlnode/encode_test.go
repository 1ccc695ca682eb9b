package yamlnode

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	k8syaml "sigs.k8s.io/yaml"
)

// tricky are scalars whose quoting go-yaml decides case by case.
var tricky = []string{
	"", "a", "2012-10-17", "2010-09-09", "111122223333", "0123", "1_000", "0x1F", "0o17", "-0o17", "0b101", "-0b101",
	"1e3", "1.5", ".5", "+1", "-1", "-", "+", ".", "..", "...", "...x", "---", "---x", "--x", "~", "null", "Null",
	"NULL", "true", "False", "TRUE", "yes", "no", "on", "off", "y", "n", "<<", "<", ".inf", "-.Inf", "+.INF", ".nan",
	"2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "2001-12-14T21:59:43Z", "2001-1-2", "2001-13-45",
	"*", "s3:*", "s3:Get*", "arn:aws:s3:::b/*", "a: b", "a:b", "a:", ":a", ": a", "?a", "? a", "a?", "-a", "- a",
	"a #b", "a#b", "#a", "a,b", "[a]", "a]", "{a}", "a}", "@a", "`a", "%a", "!a", "&a", "|a", ">a", "'a", "a'b",
	"\"a", "a\"b", "a\\b", " a", "a ", "a  b", "${aws:username}", "${!Foo}", "${AWS::Region}", "key=value",
	"system:serviceaccount:ns:sa", "oidc-provider/", "{\"Version\":\"2012-10-17\"}", "a\tb", "a\nb", "é", "a\x00",
}

const alphabet = "aZ09 :#-?,[]{}'\"\\.!*&|>%@`~+_/$="

func randString(r *rand.Rand) string {
	if r.IntN(3) == 0 {
		return tricky[r.IntN(len(tricky))]
	}
	var b strings.Builder
	for range r.IntN(8) {
		b.WriteByte(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

func randScalar(r *rand.Rand) *yaml.Node {
	switch r.IntN(8) {
	case 0:
		return Int(r.IntN(100000) - 50)
	case 1:
		return Bool(r.IntN(2) == 0)
	case 2:
		return Tagged([]string{"!Ref", "!Sub", "!GetAtt"}[r.IntN(3)], randString(r))
	}
	return Str(randString(r))
}

func randFlow(r *rand.Rand, depth int) *yaml.Node {
	items := make([]*yaml.Node, 1+r.IntN(3))
	for i := range items {
		items[i] = randScalar(r)
		if depth > 0 && r.IntN(4) == 0 {
			items[i] = randFlow(r, depth-1)
		}
	}
	n := FlowSeq(items...)
	if r.IntN(2) == 0 {
		n.Tag = []string{"!Select", "!Split", "!Equals"}[r.IntN(3)]
	}
	return n
}

func randMapping(r *rand.Rand, depth int) *yaml.Node {
	m := NewMapping()
	for range 1 + r.IntN(4) {
		k := randString(r)
		if r.IntN(5) == 0 {
			m.AddCommented(randComment(r), k, randValue(r, depth))
		} else {
			m.Add(k, randValue(r, depth))
		}
	}
	return m.Node
}

func randComment(r *rand.Rand) string {
	lines := make([]string, 1+r.IntN(3))
	for i := range lines {
		lines[i] = strings.TrimLeft(randString(r), "\n") + "x"
		if r.IntN(4) == 0 {
			lines[i] = "#" + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

func randSeq(r *rand.Rand, depth int) *yaml.Node {
	items := make([]*yaml.Node, 1+r.IntN(3))
	for i := range items {
		switch r.IntN(4) {
		case 0:
			items[i] = randFlow(r, 1)
		case 1:
			if depth > 0 {
				items[i] = randMapping(r, depth-1)
				if r.IntN(3) == 0 {
					items[i].HeadComment = randComment(r)
				}
				continue
			}
			fallthrough
		default:
			items[i] = randScalar(r)
		}
	}
	return Seq(items...)
}

func randValue(r *rand.Rand, depth int) *yaml.Node {
	if depth == 0 {
		return randScalar(r)
	}
	switch r.IntN(5) {
	case 0:
		return randMapping(r, depth-1)
	case 1:
		s := randSeq(r, depth-1)
		if r.IntN(3) == 0 {
			s.Tag = "!Sub"
		}
		return s
	case 2:
		return randFlow(r, 1)
	}
	return randScalar(r)
}

// TestWriterMatchesGoYAML builds random trees of the shapes the emitters
// use, full of scalars whose quoting is delicate, and demands go-yaml's
// exact bytes wherever writer takes a tree on.
func TestWriterMatchesGoYAML(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	covered := 0
	const trees = 20000
	for i := range trees {
		var root *yaml.Node
		if i%4 == 0 {
			root = randSeq(r, 3)
		} else {
			root = randMapping(r, 3)
		}
		want, err := encodeGoYAML([]byte("# head\n"), root)
		if err != nil {
			continue // go-yaml refuses it too
		}
		got, ok := encodeFast([]byte("# head\n"), root, 0)
		if !ok {
			continue
		}
		covered++
		if !bytes.Equal(got, want) {
			t.Fatalf("tree %d: writer and go-yaml differ\n--- go-yaml\n%s--- writer\n%s", i, want, got)
		}
		if indented, _ := encodeFast(nil, root, 4); !bytes.Equal(indented, Indent(want[len("# head\n"):], 4)) {
			t.Fatalf("tree %d: writer indented by 4 is not go-yaml's output indented:\n%s", i, indented)
		}
	}
	// Trees with a tab, a line break or non-ASCII text anywhere go to
	// go-yaml; most trees must still exercise writer.
	if covered < trees/3 {
		t.Errorf("writer took on %d of %d trees; the test no longer exercises it", covered, trees)
	}
}

// TestScalarsMatchGoYAML writes each tricky scalar as a value, a key, a
// block sequence item and a flow sequence item, plain and tagged.
func TestScalarsMatchGoYAML(t *testing.T) {
	for _, s := range tricky {
		for _, v := range []*yaml.Node{Str(s), Tagged("!Sub", s)} {
			roots := []*yaml.Node{
				NewMapping().Add("k", v).Node,
				NewMapping().Add(s, Str("v")).Node,
				Seq(v),
				NewMapping().Add("k", FlowSeq(v, Str(s))).Node,
			}
			for _, root := range roots {
				want, err := encodeGoYAML(nil, root)
				if err != nil {
					t.Fatal(err)
				}
				got, ok := encodeFast(nil, root, 0)
				if ok && !bytes.Equal(got, want) {
					t.Errorf("%q: writer and go-yaml differ\n--- go-yaml\n%s--- writer\n%s", s, want, got)
				}
				ascii := printableASCII(s, false) && len(s) <= 128
				if !ok && ascii {
					t.Errorf("%q: writer refused a printable ASCII scalar:\n%s", s, want)
				}
			}
		}
	}
}

// TestEncodeFallsBack hands Encode shapes writer leaves to go-yaml and
// checks the output is go-yaml's, counted as such.
func TestEncodeFallsBack(t *testing.T) {
	for name, root := range map[string]*yaml.Node{
		"line break": NewMapping().Add("k", Str("a\nb")).Node,
		"tab":        NewMapping().Add("k", Str("a\tb")).Node,
		"empty seq":  NewMapping().Add("k", Seq()).Node,
		"long key":   NewMapping().Add(strings.Repeat("k", 129), Str("v")).Node,
		"anchor":     NewMapping().Add("k", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "v", Anchor: "a"}).Node,
	} {
		before := GoYAMLDocuments()
		got, err := Encode(root, "# c")
		if err != nil {
			t.Fatal(err)
		}
		want, _ := encodeGoYAML([]byte("# c\n"), root)
		if !bytes.Equal(got, want) || GoYAMLDocuments() != before+1 {
			t.Errorf("%s: Encode gave\n%s\nwant go-yaml's\n%s(fallbacks %d)", name, got, want, GoYAMLDocuments()-before)
		}
		indented, err := EncodeIndented(root, 2)
		if err != nil {
			t.Fatal(err)
		}
		if want := Indent(want[len("# c\n"):], 2); !bytes.Equal(indented, want) {
			t.Errorf("%s: EncodeIndented gave\n%s\nwant\n%s", name, indented, want)
		}
	}
}

func ExampleEncode() {
	doc := NewMapping().
		Add("Version", Str("2012-10-17")).
		Add("Resource", Str("*")).
		Add("Roles", FlowSeq(Tagged("!Ref", "NodeRole"))).
		Add("Action", StrList([]string{"s3:GetObject", "sqs:SendMessage"}))
	out, _ := Encode(doc.Node, "# generated")
	fmt.Print(string(out))
	// Output:
	// # generated
	// Version: "2012-10-17"
	// Resource: '*'
	// Roles: [!Ref NodeRole]
	// Action:
	//   - s3:GetObject
	//   - sqs:SendMessage
}

// TestYAML11ReadsStrings encodes every tricky string, and every spelling
// of a YAML 1.1 boolean, as a value, a key and a list item, and reads the
// document back as eksctl does (sigs.k8s.io/yaml, a YAML 1.1 parser): each
// must come back as the same string. "yes" once came back as true.
func TestYAML11ReadsStrings(t *testing.T) {
	values := slices.Clone(tricky)
	for _, b := range yaml11Bools {
		values = append(values, b, strings.ToUpper(b), strings.ToUpper(b[:1])+b[1:], "12:30", "190:20:30.15", "1.2.3", "007", "0_7", "+12", "=")
	}
	for _, s := range values {
		root := NewMapping().Add("v", Str(s)).Add(s, Str("key")).Add("l", Seq(Str(s))).Node
		data, err := Encode(root)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			V string   `json:"v"`
			L []string `json:"l"`
		}
		if err := k8syaml.Unmarshal(data, &got); err != nil {
			t.Errorf("%q: YAML 1.1 cannot read it as a string:\n%s%v", s, data, err)
			continue
		}
		var keys map[string]any
		if err := k8syaml.Unmarshal(data, &keys); err != nil {
			t.Fatal(err)
		}
		if got.V != s || len(got.L) != 1 || got.L[0] != s || keys[s] != "key" {
			t.Errorf("%q: YAML 1.1 read back %q, %q and keys %v:\n%s", s, got.V, got.L, keys, data)
		}
	}
}
