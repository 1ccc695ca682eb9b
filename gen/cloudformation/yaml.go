package cloudformation

import (
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Small builders for yaml.Node trees. Strings go through SetString, so
// values YAML would read as another type ("true", account ids, dates) are
// quoted; intrinsics are scalars tagged !Ref, !Sub or !GetAtt.

func str(v string) *yaml.Node {
	n := &yaml.Node{}
	n.SetString(v)
	return n
}

func integer(i int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(i)}
}

func boolean(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

func tagged(tag, v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v}
}

func ref(name string) *yaml.Node { return tagged("!Ref", name) }

func getAtt(resource, attr string) *yaml.Node { return tagged("!GetAtt", resource+"."+attr) }

func seq(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Content: items}
}

// flowSeq is a one-line list, for short lists of references.
func flowSeq(items ...*yaml.Node) *yaml.Node {
	n := seq(items...)
	n.Style = yaml.FlowStyle
	return n
}

// mapping builds a block mapping in the order keys are added.
type mapping struct{ node *yaml.Node }

func newMapping() mapping { return mapping{&yaml.Node{Kind: yaml.MappingNode}} }

func (m mapping) add(key string, val *yaml.Node) mapping {
	m.node.Content = append(m.node.Content, str(key), val)
	return m
}

func (m mapping) len() int { return len(m.node.Content) / 2 }

// addCommented adds a key with comment lines above it.
func (m mapping) addCommented(comment, key string, val *yaml.Node) mapping {
	k := str(key)
	k.HeadComment = comment
	m.node.Content = append(m.node.Content, k, val)
	return m
}
