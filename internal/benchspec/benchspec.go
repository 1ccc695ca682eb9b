// Package benchspec writes the synthetic specs that benchmarks and the
// comparison with AWS CDK use: the same job as ../shared/bench/peer-cdk, a
// node role with three managed policies and an instance profile, and N Pod
// Identity roles in 50 namespaces, each with a two-statement inline policy
// that uses placeholders, and an association. Past 100 ServiceAccounts it
// asks for CloudFormation's nested stacks.
package benchspec

import (
	"fmt"
	"strconv"
	"strings"
)

// Cluster is the benchmark cluster's name, as the CDK app names it.
const Cluster = "bench-cluster"

// Spec returns the spec for n ServiceAccounts.
func Spec(n int) []byte {
	var b strings.Builder
	b.Grow(300 + n*330)
	b.WriteString(`# Benchmark spec: the job of ../shared/bench/peer-cdk for ` + strconv.Itoa(n) + ` ServiceAccounts.
version: 1
project: bench
environment: perf
cluster:
  name: ` + Cluster + `
  region: eu-west-1
  accountId: "111122223333"
nodeRole:
  ecr: read-only
  cni: node-role
`)
	if n > 100 {
		// Past about 190 roles one CloudFormation template cannot hold
		// them; a spec that grows there says so from the start.
		b.WriteString("cloudformation:\n  nestedStacks: true\n")
	}
	b.WriteString(`serviceAccounts:
`)
	for i := range n {
		fmt.Fprintf(&b, `  - namespace: ns-%d
    name: sa-%d
    policy:
      - actions: [s3:GetObject]
        resources: ["arn:${partition}:s3:::bench-bucket-%d/*"]
      - actions: [sqs:SendMessage]
        resources: ["arn:${partition}:sqs:${region}:${account}:bench-queue-%d"]
`, i%50, i, i, i)
	}
	return []byte(b.String())
}
