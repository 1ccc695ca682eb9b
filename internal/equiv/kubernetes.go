package equiv

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksiam/eksiam/gen/iam"
)

// kubernetesSA is a ServiceAccount as the kubernetes output defines it:
// in a manifest, or through a chart's values.
type kubernetesSA struct {
	roleARN string // the eks.amazonaws.com/role-arn annotation, or ""
	where   string
}

// CheckKubernetes compares the kubernetes output (path -> content) with
// the model: every pod role that a ServiceAccount's pods assume (through
// an association or IRSA), but those of EKS add-ons, has that
// ServiceAccount defined, in serviceaccounts.yaml or by its preset's Helm
// chart through a values file that makes the chart create it under that
// name; an IRSA ServiceAccount carries its role's ARN, a Pod Identity one
// none; and nothing else is defined.
func CheckKubernetes(m *iam.Model, files map[string][]byte) []error {
	var errs []error
	got := map[string]kubernetesSA{}
	define := func(key string, sa kubernetesSA) {
		if prev, ok := got[key]; ok {
			errs = append(errs, fmt.Errorf("ServiceAccount %s is defined twice (%s, %s)", key, prev.where, sa.where))
		}
		got[key] = sa
	}
	if data, ok := files["kubernetes/serviceaccounts.yaml"]; ok {
		for _, doc := range bytes.Split(data, []byte("\n---\n")) {
			var sa struct {
				Metadata struct {
					Name, Namespace string
					Annotations     map[string]string
				}
			}
			if err := yaml.Unmarshal(doc, &sa); err != nil {
				return append(errs, fmt.Errorf("serviceaccounts.yaml: %w", err))
			}
			define(sa.Metadata.Namespace+"/"+sa.Metadata.Name, kubernetesSA{roleARN: sa.Metadata.Annotations["eks.amazonaws.com/role-arn"], where: "serviceaccounts.yaml"})
		}
	}
	value := Values(m)
	// ServiceAccounts that an EKS add-on or another chart creates.
	elsewhere := map[string]bool{}
	for _, r := range m.PodRoles {
		if r.AddOn != "" || r.CreatedBy != "" && len(r.Charts) == 0 {
			elsewhere[r.Namespace+"/"+r.ServiceAccount] = true
		}
	}
	want := map[string]string{}
	for _, r := range m.PodRoles {
		key := r.Namespace + "/" + r.ServiceAccount
		if elsewhere[key] {
			continue
		}
		arn := ""
		if r.Mechanism != "pod-identity" {
			arn = r.ARN(value)
		}
		want[key] = arn
		if len(r.Charts) == 0 {
			continue
		}
		p := "kubernetes/values/" + r.Namespace + "-" + r.ServiceAccount + ".yaml"
		data, ok := files[p]
		if !ok {
			errs = append(errs, fmt.Errorf("ServiceAccount %s uses the %s chart, but %s is missing", key, r.Charts[0].Name, p))
			continue
		}
		var values map[string]any
		if err := yaml.Unmarshal(data, &values); err != nil {
			return append(errs, fmt.Errorf("%s: %w", p, err))
		}
		c := r.Charts[0]
		if at(values, c.CreateKey) != true {
			errs = append(errs, fmt.Errorf("%s does not set %s: true, so the chart would not create the ServiceAccount", p, c.CreateKey))
			continue
		}
		if name := at(values, c.NameKey); name != r.ServiceAccount {
			errs = append(errs, fmt.Errorf("%s names the ServiceAccount %v, want %s", p, name, r.ServiceAccount))
			continue
		}
		annotations, _ := at(values, c.AnnotationsKey).(map[string]any)
		roleARN, _ := annotations["eks.amazonaws.com/role-arn"].(string)
		define(key, kubernetesSA{roleARN: roleARN, where: p})
	}
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		w, wanted := want[k]
		g, defined := got[k]
		switch {
		case !defined:
			errs = append(errs, fmt.Errorf("the model's role for ServiceAccount %s has no ServiceAccount in the kubernetes output", k))
		case !wanted:
			errs = append(errs, fmt.Errorf("%s defines ServiceAccount %s, which no role of the model is for", g.where, k))
		case g.roleARN != w:
			errs = append(errs, fmt.Errorf("ServiceAccount %s (%s) is annotated with role %q, want %q", k, g.where, g.roleARN, w))
		}
	}
	// The other formats, read back: every association and IRSA trust
	// they hold names a ServiceAccount defined here or made by an add-on
	// or another chart.
	account := value(iam.RefAccount)
	forms := map[string]Form{}
	tf := map[string][]byte{}
	for p, data := range files {
		if strings.HasPrefix(p, "terraform/") {
			tf[p] = data
		}
	}
	if len(tf) > 0 {
		f, err := FromTerraform(tf, m.Cluster.Partition, m.Cluster.Region, account)
		if err != nil {
			return append(errs, fmt.Errorf("reading Terraform: %w", err))
		}
		forms["terraform"] = f
	}
	if _, ok := files["cloudformation/template.yaml"]; ok {
		f, err := FromCloudFormationStacks(files, "cloudformation/template.yaml", m.Cluster.Partition, m.Cluster.Region, account)
		if err != nil {
			return append(errs, fmt.Errorf("reading CloudFormation: %w", err))
		}
		forms["cloudformation"] = f
	}
	for _, name := range []string{"terraform", "cloudformation"} {
		f, ok := forms[name]
		if !ok {
			continue
		}
		for _, k := range serviceAccountsNamed(f) {
			if _, ok := got[k]; !ok && !elsewhere[k] {
				errs = append(errs, fmt.Errorf("the %s output's roles are for ServiceAccount %s, which the kubernetes output does not define", name, k))
			}
		}
	}
	return errs
}

// serviceAccountsNamed are the ServiceAccounts (namespace/name) a form's
// associations name and its IRSA trusts admit (<issuer>:sub values).
func serviceAccountsNamed(f Form) []string {
	var out []string
	for _, a := range f.Associations {
		out = append(out, a.Namespace+"/"+a.ServiceAccount)
	}
	for _, r := range f.Roles {
		for _, t := range r.Trust {
			for _, c := range strings.Split(t.Condition, ";") {
				parts := strings.SplitN(c, "|", 3)
				if len(parts) != 3 || !strings.HasSuffix(parts[1], ":sub") {
					continue
				}
				for _, v := range strings.Split(parts[2], ",") {
					if rest, ok := strings.CutPrefix(v, "system:serviceaccount:"); ok {
						if ns, name, ok := strings.Cut(rest, ":"); ok {
							out = append(out, ns+"/"+name)
						}
					}
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// at is the value at a dotted path of nested mappings, or nil.
func at(v map[string]any, path string) any {
	var cur any = v
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}
