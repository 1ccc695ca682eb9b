package kubernetes

import (
	"strings"
	"testing"

	"github.com/eksiam/eksiam/gen/iam"
	"github.com/eksiam/eksiam/schema"
)

// TestEmit: a ServiceAccount of its own is a manifest, annotated for IRSA
// only; one whose preset has a chart gets values under the chart's keys
// (nested, the keys a chart shares in one mapping); one an EKS add-on
// makes is neither.
func TestEmit(t *testing.T) {
	s, diags := schema.Load("spec.yaml", []byte(`version: 1
project: shop
environment: prod
cluster: {region: eu-west-1, accountId: "111122223333"}
irsa: {}
serviceAccounts:
  - namespace: a
    name: pods
    policy: [{actions: [sqs:SendMessage], resources: ["*"]}]
  - namespace: a
    name: web
    mechanism: irsa
    policy: [{actions: [sqs:SendMessage], resources: ["*"]}]
  - namespace: kube-system
    name: cluster-autoscaler
    mechanism: irsa
    presets: [cluster-autoscaler]
`))
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	m, diags := iam.Build(s)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	files, err := Emit(m)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range files {
		got[f.Path] = string(f.Data)
	}
	sas := got[ServiceAccountsPath]
	if strings.Count(sas, "kind: ServiceAccount") != 2 || strings.Contains(sas, "aws-node") || strings.Contains(sas, "cluster-autoscaler") {
		t.Errorf("serviceaccounts.yaml holds other ServiceAccounts than a/pods and a/web:\n%s", sas)
	}
	if strings.Count(sas, RoleARNAnnotation) != 1 || !strings.Contains(sas, "role-arn: arn:aws:iam::111122223333:role/shop-prod-a-web") {
		t.Errorf("only the IRSA ServiceAccount carries its role ARN:\n%s", sas)
	}
	values := got[ValuesPath("kube-system", "cluster-autoscaler")]
	want := "rbac:\n  serviceAccount:\n    create: true\n    name: cluster-autoscaler\n    annotations:\n      eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/shop-prod-kube-system-cluster-autoscaler\n"
	if !strings.HasSuffix(values, want) {
		t.Errorf("cluster-autoscaler values:\n%s\nwant the end:\n%s", values, want)
	}
	if !strings.Contains(got[KustomizationPath], "  - serviceaccounts.yaml\n") {
		t.Errorf("kustomization.yaml does not list the manifests:\n%s", got[KustomizationPath])
	}
	for p, data := range got {
		if !strings.HasPrefix(data, iam.Header("spec.yaml")+"\n") {
			t.Errorf("%s does not start with eksiam's header", p)
		}
	}
}
