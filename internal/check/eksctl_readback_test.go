package check

import (
	"fmt"
	"strings"
	"testing"
)

const eksctlBase = `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: shop-prod
  region: eu-west-1
  tags:
    backup: "yes"
iam:
  withOIDC: true
  podIdentityAssociations:
    - namespace: orders
      serviceAccountName: api
      roleName: shop-prod-orders-api
      permissionPolicyARNs:
        - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
  serviceAccounts:
    - metadata:
        name: worker
        namespace: orders
      roleName: shop-prod-orders-worker
      roleOnly: true
      attachPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: sqs:ReceiveMessage
            Resource: '*'
addons:
  - name: eks-pod-identity-agent
managedNodeGroups:
  - name: default
    iam:
      attachPolicyARNs:
        - arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy
`

// TestEksctlReadBackCatchesMistakes changes a valid config in the ways
// eksctl refuses or misreads, and demands a finding for each.
func TestEksctlReadBackCatchesMistakes(t *testing.T) {
	if errs := EksctlReadBack([]byte(eksctlBase)); len(errs) > 0 {
		t.Fatalf("the base config has findings: %v", errs)
	}
	for name, tc := range map[string]struct{ old, new, want string }{
		"association without a policy":  {"      permissionPolicyARNs:\n        - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess\n", "", "at least one of the following must be specified: podIdentityAssociations[0].roleARN"},
		"a YAML 1.1 boolean":            {`backup: "yes"`, `backup: yes`, "YAML 1.1 (as eksctl reads it) and YAML 1.2 read the config differently"},
		"an unknown key":                {"      roleOnly: true\n", "      roleOnly: true\n      roleOnlly: true\n", `unknown field "roleOnlly"`},
		"a key of the wrong case":       {"roleName: shop-prod-orders-api", "RoleName: shop-prod-orders-api", "keys eksctl would drop"},
		"a repeated key":                {"      roleOnly: true\n", "      roleOnly: true\n      roleOnly: true\n", "eksctl cannot load the config"},
		"service accounts without OIDC": {"  withOIDC: true\n", "", "iam.withOIDC must be enabled explicitly"},
		"service account without policy": {"      attachPolicy:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Action: sqs:ReceiveMessage\n            Resource: '*'\n", "",
			"attachPolicy must be set"},
		"no pod identity agent":    {"  - name: eks-pod-identity-agent\n", "  - name: coredns\n", "need the eks-pod-identity-agent add-on"},
		"IPv6 without core addons": {"iam:\n", "kubernetesNetworkConfig:\n  ipFamily: IPv6\niam:\n", "missing addon(s): vpc-cni,coredns,kube-proxy"},
		"a second association":     {"  serviceAccounts:\n", "    - namespace: orders\n      serviceAccountName: api\n      roleARN: arn:aws:iam::111122223333:role/x\n  serviceAccounts:\n", "already has an association"},
		"a China target role":      {"      roleName: shop-prod-orders-api\n", "      roleName: shop-prod-orders-api\n      targetRoleARN: arn:aws-cn:iam::111122223333:role/x\n", "invalid targetRoleARN"},
		"an invalid node group":    {"  - name: default\n", "  - name: default_group\n", "name must satisfy regular expression"},
	} {
		if !strings.Contains(eksctlBase, tc.old) {
			t.Fatalf("%s: the base config has no %q", name, tc.old)
		}
		errs := EksctlReadBack([]byte(strings.Replace(eksctlBase, tc.old, tc.new, 1)))
		found := false
		for _, err := range errs {
			found = found || strings.Contains(err.Error(), tc.want)
		}
		if !found {
			t.Errorf("%s: no finding %q among %v", name, tc.want, errs)
		}
	}
}

// TestEksctlAccessEntries holds the read-back to eksctl's access entry and
// Auto Mode validation (access_entry.go, auto_mode.go).
func TestEksctlAccessEntries(t *testing.T) {
	const head = "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: c\n  region: eu-west-1\n"
	for name, c := range map[string]struct{ config, want string }{
		"linux entry":              {"accessConfig:\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/n\n      type: EC2_LINUX\n", ""},
		"hybrid type":              {"accessConfig:\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/n\n      type: HYBRID_LINUX\n", `invalid access entry type "HYBRID_LINUX"`},
		"policies on a node entry": {"accessConfig:\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/n\n      type: EC2_LINUX\n      accessPolicies:\n        - policyARN: arn:aws:eks::aws:cluster-access-policy/AmazonEKSAutoNodePolicy\n          accessScope: {type: cluster}\n", "cannot specify accessEntries[0].accessPolicies"},
		"duplicate":                {"accessConfig:\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/n\n    - principalARN: arn:aws:iam::111122223333:role/n\n", "duplicate access entry"},
		"auto mode":                {"autoModeConfig:\n  enabled: true\n  nodeRoleARN: arn:aws:iam::111122223333:role/a\n", ""},
		"auto mode off":            {"autoModeConfig:\n  enabled: false\n  nodeRoleARN: arn:aws:iam::111122223333:role/a\n", "when Auto Mode is disabled"},
		"windows group":            {"managedNodeGroups:\n  - name: w\n    amiFamily: WindowsServer2022CoreContainer\n", ""},
		"unknown ami":              {"managedNodeGroups:\n  - name: w\n    amiFamily: Windows\n", "not an AMI family"},
	} {
		errs := EksctlReadBack([]byte(head + c.config))
		got := fmt.Sprint(errs)
		if c.want == "" && len(errs) > 0 || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("%s: got %v, want %q", name, errs, c.want)
		}
	}
}
