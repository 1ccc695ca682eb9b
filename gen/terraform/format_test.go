package terraform

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/eksiam/eksiam/gen/iam"
	"github.com/eksiam/eksiam/schema"
)

// TestLayoutMatchesHCL: for specs full of what a formatter can trip on
// (wide and combining characters in tag keys, keywords, escapes, long
// lists, templates, IRSA lookups), every file is exactly what
// hclwrite.Format leaves unchanged.
func TestLayoutMatchesHCL(t *testing.T) {
	tags := []string{"กำ", "한국어", "for", "null", "a.b/c", "kubernetes.io/cluster/x", "日本", "z"}
	var b strings.Builder
	b.WriteString("version: 1\nproject: shop\nenvironment: prod\ncluster:\n  region: eu-west-1\nirsa: {}\ntags:\n")
	for i, k := range tags {
		fmt.Fprintf(&b, "  %q: \"v%d ü\"\n", k, i)
	}
	b.WriteString(`serviceAccounts:
  - namespace: a
    name: b
    mechanism: irsa
    tags: {"ünï": "x", "ab": "y"}
    policy:
      - actions: [s3:GetObject, s3:PutObject, s3:DeleteObject, s3:ListBucket, s3:GetObjectTagging]
        resources:
          - "arn:${partition}:s3:::a$${project}-x/${aws:username}/*"
          - "arn:${partition}:s3:::quote-\"q\"-%{x}"
        condition:
          StringLike: {"s3:prefix": ["${aws:userid}/*", "tab\tnl"]}
  - namespace: c
    name: d
    presets: [karpenter, cluster-autoscaler]
    presetOptions:
      nodeRoleArns: ["arn:${partition}:iam::${account}:role/n"]
      clusterNames: [other]
`)
	spec, diags := schema.Load("s.yaml", []byte(b.String()))
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	m, diags := iam.Build(spec)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	files, err := Emit(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if got := hclwrite.Format(f.Data); !bytes.Equal(got, f.Data) {
			t.Errorf("%s is not laid out as hclwrite.Format would:\n%s", f.Path, firstDiff(f.Data, got))
		}
	}
}

func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n ours: %q\n hcl:  %q", i+1, al[i], bl[i])
		}
	}
	return "lengths differ"
}
