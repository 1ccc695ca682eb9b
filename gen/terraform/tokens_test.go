package terraform

import (
	"testing"

	"github.com/eksiam/eksiam/gen/iam"
)

func TestExpr(t *testing.T) {
	tests := []struct {
		in   iam.Expr
		want string
	}{
		{iam.Lit("plain"), `"plain"`},
		{iam.Lit("${aws:username}/%{x}"), `"$${aws:username}/%%{x}"`},
		{iam.Refer(iam.RefCluster), `var.cluster_name`},
		{iam.Concat(iam.Lit("arn:"), iam.Refer(iam.RefPartition), iam.Lit(":s3:::b/${aws:userid}")),
			`"arn:${data.aws_partition.current.partition}:s3:::b/$${aws:userid}"`},
		{iam.Concat(iam.Refer(iam.RefProject), iam.Lit("-"), iam.Refer(iam.RefEnvironment)), `"${var.project}-${var.environment}"`},
	}
	for _, tc := range tests {
		if got := string(expr(tc.in).Bytes()); got != tc.want {
			t.Errorf("expr(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{
		"AmazonEKSWorkerNodePolicy":          "amazon_eks_worker_node_policy",
		"AmazonEKS_CNI_Policy":               "amazon_eks_cni_policy",
		"AmazonEC2ContainerRegistryPullOnly": "amazon_ec2_container_registry_pull_only",
		"cni-ipv6":                           "cni_ipv6",
		"team.policy-v2":                     "team_policy_v2",
		"1st":                                "p_1st",
	} {
		if got := snake(in); got != want {
			t.Errorf("snake(%q) = %q, want %q", in, got, want)
		}
	}
}
