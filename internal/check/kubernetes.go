package check

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	corev1 "k8s.io/api/core/v1"
	k8syaml "sigs.k8s.io/yaml"
)

// KubernetesReadBack reads the kubernetes output (path -> content, as gen
// renders it) the way Kubernetes tools do: each document of
// serviceaccounts.yaml decoded strictly (unknown or repeated keys refused)
// through sigs.k8s.io/yaml into k8s.io/api's core/v1 ServiceAccount, as
// kubectl's decoder reads it; kustomization.yaml strictly into the fields
// a Kustomization of resources has, every resource a file of the folder.
func KubernetesReadBack(files map[string][]byte) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if data, ok := files["kubernetes/serviceaccounts.yaml"]; ok {
		for i, doc := range Documents(data) {
			var sa corev1.ServiceAccount
			if err := k8syaml.UnmarshalStrict(doc, &sa); err != nil {
				fail("serviceaccounts.yaml document %d: %v", i+1, err)
				continue
			}
			if sa.APIVersion != "v1" || sa.Kind != "ServiceAccount" {
				fail("serviceaccounts.yaml document %d is %s %s, not v1 ServiceAccount", i+1, sa.APIVersion, sa.Kind)
			}
			if sa.Name == "" || sa.Namespace == "" {
				fail("serviceaccounts.yaml document %d has no name or namespace", i+1)
			}
			if sa.Labels["app.kubernetes.io/managed-by"] != "eksiam" {
				fail("serviceaccount %s/%s is not labelled app.kubernetes.io/managed-by: eksiam", sa.Namespace, sa.Name)
			}
		}
	}
	data, ok := files["kubernetes/kustomization.yaml"]
	if !ok {
		return append(errs, fmt.Errorf("kubernetes output has no kustomization.yaml"))
	}
	var k struct {
		APIVersion string   `json:"apiVersion"`
		Kind       string   `json:"kind"`
		Resources  []string `json:"resources,omitempty"`
	}
	if err := k8syaml.UnmarshalStrict(data, &k); err != nil {
		return append(errs, fmt.Errorf("kustomization.yaml: %w", err))
	}
	if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" {
		fail("kustomization.yaml is %s %s", k.APIVersion, k.Kind)
	}
	for _, r := range k.Resources {
		if _, ok := files[path.Join("kubernetes", r)]; !ok {
			fail("kustomization.yaml lists %s, which the output does not have", r)
		}
	}
	for p := range files {
		if path.Dir(p) == "kubernetes" && p != "kubernetes/kustomization.yaml" && !strings.Contains(strings.Join(k.Resources, "\n"), path.Base(p)) {
			fail("kustomization.yaml does not list %s", p)
		}
	}
	return errs
}

// Documents splits a YAML stream into its documents.
func Documents(data []byte) [][]byte {
	var out [][]byte
	for _, doc := range bytes.Split(data, []byte("\n---\n")) {
		if len(bytes.TrimSpace(doc)) > 0 {
			out = append(out, doc)
		}
	}
	return out
}
