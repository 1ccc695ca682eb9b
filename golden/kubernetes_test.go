package golden

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/eksiam/eksiam/internal/check"
	"github.com/eksiam/eksiam/internal/equiv"
)

// TestKubernetes reads every case's kubernetes output as Kubernetes tools
// do (each ServiceAccount strictly into k8s.io/api's core/v1 type, the
// kustomization's resources present) and checks it against the model:
// every ServiceAccount a role's association or IRSA trust names is defined
// there or by its add-on's chart, with the role ARN where IRSA needs it;
// each values file validates against its chart's values schema where the
// chart publishes one.
func TestKubernetes(t *testing.T) {
	n := 0
	for _, dir := range cases(t) {
		res := run(t, dir)
		if _, ok := res.files["kubernetes/kustomization.yaml"]; !ok {
			continue
		}
		n++
		for _, err := range check.KubernetesReadBack(res.files) {
			t.Errorf("%s: %v", dir, err)
		}
		for _, err := range equiv.CheckKubernetes(res.model, res.files) {
			t.Errorf("%s: %v", dir, err)
		}
		for _, err := range checkChartValues(t, res) {
			t.Errorf("%s: %v", dir, err)
		}
	}
	if n == 0 {
		t.Fatal("no case has kubernetes output")
	}
}

// checkChartValues validates each values file of a case against the
// values schema of its chart, kept with its source under
// ../templates/testdata/charts/<chart>/ for the charts that publish one
// (values.schema.json, or for a large one values.schema.excerpt.json, the
// part about the ServiceAccount); every chart a preset names must either
// have one there or say, in source.json, that it publishes none. Helm
// validates the values merged with the chart's defaults, which supply
// what the schema requires, so "required" is left out of the check.
func checkChartValues(t *testing.T, res result) []error {
	t.Helper()
	var errs []error
	for _, r := range res.model.PodRoles {
		if len(r.Charts) == 0 || r.AddOn != "" {
			continue
		}
		c := r.Charts[0]
		dir := filepath.Join("..", "templates", "testdata", "charts", c.Name)
		src, err := os.ReadFile(filepath.Join(dir, "source.json"))
		if err != nil {
			errs = append(errs, fmt.Errorf("chart %s has no source.json under %s: %v", c.Name, dir, err))
			continue
		}
		var source struct {
			Values string `json:"values"`
			Schema string `json:"schema"`
		}
		if err := json.Unmarshal(src, &source); err != nil || source.Values == "" {
			errs = append(errs, fmt.Errorf("%s/source.json must give the chart's values.yaml address (values) and its schema's or null (schema): %v", dir, err))
			continue
		}
		if source.Schema == "" {
			continue // the chart publishes no values schema
		}
		s, err := valuesSchema(t, dir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p := "kubernetes/values/" + r.Namespace + "-" + r.ServiceAccount + ".yaml"
		var v any
		if err := yaml.Unmarshal(res.files[p], &v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", p, err))
			continue
		}
		if err := check.ValidateValue(s, v); err != nil {
			errs = append(errs, fmt.Errorf("%s does not validate against the %s chart's values schema: %v", p, c.Name, err))
		}
	}
	return errs
}

// valuesSchema compiles a chart's stored values schema, or its excerpt,
// without its "required" keywords.
func valuesSchema(t *testing.T, dir string) (*jsonschema.Schema, error) {
	data, err := os.ReadFile(filepath.Join(dir, "values.schema.json"))
	if os.IsNotExist(err) {
		data, err = os.ReadFile(filepath.Join(dir, "values.schema.excerpt.json"))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: source.json names a values schema, but none is stored: %w", dir, err)
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	var strip func(v any)
	strip = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if _, ok := x["required"].([]any); ok {
				delete(x, "required")
			}
			for _, c := range x {
				strip(c)
			}
		case []any:
			for _, c := range x {
				strip(c)
			}
		}
	}
	strip(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	p := filepath.Join(t.TempDir(), "values.schema.json")
	if err := os.WriteFile(p, out, 0o644); err != nil {
		return nil, err
	}
	return check.CompileSchema(p)
}

// TestKubernetesChecksCatchMistakes breaks a case's kubernetes output in
// the ways the checks above exist for, and demands that they notice.
func TestKubernetesChecksCatchMistakes(t *testing.T) {
	res := run(t, "irsa-migration")
	values := run(t, "presets-networking")
	for name, c := range map[string]struct {
		res    result
		mutate func(files map[string][]byte)
		check  func(result) []error
	}{
		"unknown ServiceAccount field": {res, func(f map[string][]byte) {
			f["kubernetes/serviceaccounts.yaml"] = bytes.Replace(f["kubernetes/serviceaccounts.yaml"], []byte("  labels:"), []byte("  labelz: {}\n  labels:"), 1)
		}, func(r result) []error { return check.KubernetesReadBack(r.files) }},
		"wrong role annotation": {res, func(f map[string][]byte) {
			f["kubernetes/serviceaccounts.yaml"] = bytes.Replace(f["kubernetes/serviceaccounts.yaml"], []byte("role/shop-prod-checkout-api"), []byte("role/other"), 1)
		}, func(r result) []error { return equiv.CheckKubernetes(r.model, r.files) }},
		"ServiceAccount missing": {res, func(f map[string][]byte) {
			docs := check.Documents(f["kubernetes/serviceaccounts.yaml"])
			f["kubernetes/serviceaccounts.yaml"] = docs[0]
		}, func(r result) []error { return equiv.CheckKubernetes(r.model, r.files) }},
		"an association for a ServiceAccount not defined": {res, func(f map[string][]byte) {
			for p, d := range f {
				if strings.HasPrefix(p, "terraform/") {
					f[p] = bytes.ReplaceAll(d, []byte(`service_account = "api"`), []byte(`service_account = "apx"`))
				}
			}
		}, func(r result) []error { return equiv.CheckKubernetes(r.model, r.files) }},
		"chart values name another ServiceAccount": {values, func(f map[string][]byte) {
			p := "kubernetes/values/kube-system-aws-load-balancer-controller.yaml"
			f[p] = bytes.Replace(f[p], []byte("name: aws-load-balancer-controller"), []byte("name: other"), 1)
		}, func(r result) []error { return equiv.CheckKubernetes(r.model, r.files) }},
		"chart values do not create it": {values, func(f map[string][]byte) {
			p := "kubernetes/values/kube-system-aws-load-balancer-controller.yaml"
			f[p] = bytes.Replace(f[p], []byte("create: true"), []byte("create: false"), 1)
		}, func(r result) []error { return equiv.CheckKubernetes(r.model, r.files) }},
		"values against the chart's schema": {values, func(f map[string][]byte) {
			p := "kubernetes/values/aws-application-networking-system-gateway-api-controller.yaml"
			f[p] = bytes.Replace(f[p], []byte("create: true"), []byte("create: \"yes\""), 1)
		}, func(r result) []error { return checkChartValues(t, r) }},
	} {
		broken := result{model: c.res.model, files: map[string][]byte{}}
		for p, d := range c.res.files {
			broken.files[p] = bytes.Clone(d)
		}
		c.mutate(broken.files)
		if len(c.check(c.res)) > 0 {
			t.Fatalf("%s: the intact case fails already", name)
		}
		if errs := c.check(broken); len(errs) == 0 {
			t.Errorf("%s: the checks did not notice", name)
		}
	}
}
