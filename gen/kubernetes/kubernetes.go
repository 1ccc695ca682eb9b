// Package kubernetes writes the Kubernetes side of a spec's pod roles:
// the ServiceAccounts that no add-on's Helm chart creates (annotated with
// the role's ARN where IRSA trusts them), the Helm values that make an
// add-on's chart create its ServiceAccount under the spec's name (and
// annotate it), and a kustomization of the manifests. It reads only the
// IAM model.
package kubernetes

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksiam/eksiam/gen/iam"
	y "github.com/eksiam/eksiam/gen/internal/yamlnode"
)

// Where the output goes in the output folder.
const (
	ServiceAccountsPath = "kubernetes/serviceaccounts.yaml"
	KustomizationPath   = "kubernetes/kustomization.yaml"
	ValuesDir           = "kubernetes/values/"
)

// RoleARNAnnotation is the annotation through which EKS's Pod Identity
// webhook gives an IRSA ServiceAccount's pods its role; ManagedByLabel
// marks the objects eksiam wrote.
const (
	RoleARNAnnotation = "eks.amazonaws.com/role-arn"
	ManagedByLabel    = "app.kubernetes.io/managed-by"
)

// Emit renders the model's ServiceAccounts. The model must have passed
// gen's kubernetes checks (the account known where an annotation needs
// it, one chart per ServiceAccount); Emit fails only on a bug.
func Emit(m *iam.Model) ([]iam.File, error) {
	var manifests bytes.Buffer
	var files []iam.File
	var elsewhere []string
	count := 0
	for _, r := range m.PodRoles {
		switch {
		case r.AddOn != "":
			// The EKS add-on (the VPC CNI's aws-node) makes its own.
		case r.CreatedBy != "" && len(r.Charts) == 0:
			elsewhere = append(elsewhere, "#   "+r.Namespace+"/"+r.ServiceAccount+": "+r.CreatedBy)
		case len(r.Charts) > 0:
			f, err := values(m, r)
			if err != nil {
				return nil, err
			}
			files = append(files, f)
		default:
			data, err := y.Encode(serviceAccount(m, r), "# "+r.Summary())
			if err != nil {
				return nil, fmt.Errorf("kubernetes: %w", err)
			}
			if count > 0 {
				manifests.WriteString("---\n")
			}
			manifests.Write(data)
			count++
		}
	}
	var resources []string
	if count > 0 {
		head := iam.Header(m.SpecName) + "\n# ServiceAccounts of the spec's roles that no add-on's Helm chart creates: kubectl apply -k .\n"
		files = append(files, iam.File{Path: ServiceAccountsPath, Data: append([]byte(head), manifests.Bytes()...)})
		resources = append(resources, strings.TrimPrefix(ServiceAccountsPath, "kubernetes/"))
	}
	kustomization := y.NewMapping().
		Add("apiVersion", y.Str("kustomize.config.k8s.io/v1beta1")).
		Add("kind", y.Str("Kustomization"))
	if len(resources) > 0 {
		items := make([]*yaml.Node, len(resources))
		for i, r := range resources {
			items[i] = y.Str(r)
		}
		kustomization.Add("resources", y.Seq(items...))
	}
	comments := []string{iam.Header(m.SpecName), "# The manifests of this folder; the values/ files are for helm install -f (README)."}
	if len(resources) == 0 {
		comments = append(comments, "# No manifests: every ServiceAccount comes from a chart or an add-on, so there is nothing to apply here.")
	}
	if len(elsewhere) > 0 {
		comments = append(comments, "# ServiceAccounts that others create:")
		comments = append(comments, elsewhere...)
	}
	data, err := y.Encode(kustomization.Node, comments...)
	if err != nil {
		return nil, fmt.Errorf("kubernetes: %w", err)
	}
	files = append(files, iam.File{Path: KustomizationPath, Data: data})
	return files, nil
}

// serviceAccount is a v1 ServiceAccount for a role the spec trusts.
func serviceAccount(m *iam.Model, r *iam.Role) *yaml.Node {
	meta := y.NewMapping().
		Add("name", y.Str(r.ServiceAccount)).
		Add("namespace", y.Str(r.Namespace)).
		Add("labels", y.NewMapping().Add(ManagedByLabel, y.Str("eksiam")).Node)
	if r.Mechanism != "pod-identity" {
		meta.Add("annotations", y.NewMapping().Add(RoleARNAnnotation, y.Str(r.ARN(m.Value))).Node)
	}
	return y.NewMapping().
		Add("apiVersion", y.Str("v1")).
		Add("kind", y.Str("ServiceAccount")).
		Add("metadata", meta.Node).Node
}

// ValuesPath is where the Helm values of a ServiceAccount go.
func ValuesPath(namespace, serviceAccount string) string {
	return ValuesDir + namespace + "-" + serviceAccount + ".yaml"
}

// values are the Helm values that make the add-on's chart create the
// ServiceAccount under the spec's name, annotated with the role's ARN for
// IRSA (Pod Identity needs nothing on it).
func values(m *iam.Model, r *iam.Role) (iam.File, error) {
	c := r.Charts[0]
	root := y.NewMapping()
	set(root, c.CreateKey, y.Bool(true))
	set(root, c.NameKey, y.Str(r.ServiceAccount))
	keys := make([]string, 0, len(c.Values))
	for k := range c.Values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		switch v := c.Values[k].(type) {
		case bool:
			set(root, k, y.Bool(v))
		default:
			set(root, k, y.Str(fmt.Sprint(v)))
		}
	}
	if r.Mechanism != "pod-identity" {
		set(root, c.AnnotationsKey, y.NewMapping().Add(RoleARNAnnotation, y.Str(r.ARN(m.Value))).Node)
	}
	how := "Pod Identity: the association names this ServiceAccount; the chart needs no annotation."
	if r.Mechanism != "pod-identity" {
		how = "IRSA: the annotation gives the pods the role."
	}
	data, err := y.Encode(root.Node, iam.Header(m.SpecName),
		"# "+r.Summary(),
		"# Helm values for the "+c.Name+" chart ("+c.Repository+"), whose ServiceAccount this is:",
		"# helm install ... --namespace "+r.Namespace+" -f "+strings.TrimPrefix(ValuesPath(r.Namespace, r.ServiceAccount), "kubernetes/"),
		"# "+how)
	if err != nil {
		return iam.File{}, fmt.Errorf("kubernetes: %w", err)
	}
	return iam.File{Path: ValuesPath(r.Namespace, r.ServiceAccount), Data: data}, nil
}

// set puts a value at a dotted path of a mapping, making the mappings on
// the way (keys a chart shares, such as serviceAccount.create and
// serviceAccount.name, land in one mapping).
func set(m y.Mapping, path string, v *yaml.Node) {
	keys := strings.Split(path, ".")
	n := m.Node
	for _, k := range keys[:len(keys)-1] {
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next = n.Content[i+1]
			}
		}
		if next == nil {
			next = y.NewMapping().Node
			n.Content = append(n.Content, y.Str(k), next)
		}
		n = next
	}
	n.Content = append(n.Content, y.Str(keys[len(keys)-1]), v)
}
