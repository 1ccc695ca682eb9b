package check

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	k8syaml "sigs.k8s.io/yaml"
)

// The part of eksctl's ClusterConfig (eksctl.io/v1alpha5) that eksiam
// writes, mirrored field by field with eksctl's JSON names and Go types
// (pkg/apis/eksctl.io/v1alpha5: types.go, iam.go, addon.go). Decoding
// into it strictly rejects any key eksctl does not know, and any key
// eksiam should not write.
type (
	eksctlInlineDocument map[string]any

	eksctlWellKnownPolicies struct {
		ImageBuilder              bool `json:"imageBuilder,omitempty"`
		AutoScaler                bool `json:"autoScaler,omitempty"`
		AWSLoadBalancerController bool `json:"awsLoadBalancerController,omitempty"`
		ExternalDNS               bool `json:"externalDNS,omitempty"`
		CertManager               bool `json:"certManager,omitempty"`
		EBSCSIController          bool `json:"ebsCSIController,omitempty"`
		EFSCSIController          bool `json:"efsCSIController,omitempty"`
	}

	eksctlPodIdentityAssociation struct {
		Namespace              string                   `json:"namespace"`
		ServiceAccountName     string                   `json:"serviceAccountName"`
		RoleARN                string                   `json:"roleARN,omitempty"`
		CreateServiceAccount   bool                     `json:"createServiceAccount,omitempty"`
		RoleName               string                   `json:"roleName,omitempty"`
		PermissionsBoundaryARN string                   `json:"permissionsBoundaryARN,omitempty"`
		PermissionPolicyARNs   []string                 `json:"permissionPolicyARNs,omitempty"`
		PermissionPolicy       eksctlInlineDocument     `json:"permissionPolicy,omitempty"`
		WellKnownPolicies      *eksctlWellKnownPolicies `json:"wellKnownPolicies,omitempty"`
		Tags                   map[string]string        `json:"tags,omitempty"`
		TargetRoleARN          string                   `json:"targetRoleARN,omitempty"`
		DisableSessionTags     *bool                    `json:"disableSessionTags,omitempty"`
		Policy                 string                   `json:"policy,omitempty"`
	}

	eksctlIAMMeta struct {
		Name        string            `json:"name,omitempty"`
		Namespace   string            `json:"namespace,omitempty"`
		Labels      map[string]string `json:"labels,omitempty"`
		Annotations map[string]string `json:"annotations,omitempty"`
	}

	eksctlServiceAccount struct {
		Metadata            eksctlIAMMeta            `json:"metadata,omitempty"`
		AttachPolicyARNs    []string                 `json:"attachPolicyARNs,omitempty"`
		WellKnownPolicies   *eksctlWellKnownPolicies `json:"wellKnownPolicies,omitempty"`
		AttachPolicy        eksctlInlineDocument     `json:"attachPolicy,omitempty"`
		AttachRoleARN       string                   `json:"attachRoleARN,omitempty"`
		PermissionsBoundary string                   `json:"permissionsBoundary,omitempty"`
		RoleName            string                   `json:"roleName,omitempty"`
		RoleOnly            *bool                    `json:"roleOnly,omitempty"`
		Tags                map[string]string        `json:"tags,omitempty"`
	}

	eksctlAddon struct {
		Name                    string                          `json:"name,omitempty"`
		Version                 string                          `json:"version,omitempty"`
		PodIdentityAssociations *[]eksctlPodIdentityAssociation `json:"podIdentityAssociations,omitempty"`
	}

	eksctlNodeGroupIAM struct {
		AttachPolicy                    eksctlInlineDocument `json:"attachPolicy,omitempty"`
		AttachPolicyARNs                []string             `json:"attachPolicyARNs,omitempty"`
		InstanceRolePermissionsBoundary string               `json:"instanceRolePermissionsBoundary,omitempty"`
	}

	eksctlClusterConfig struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   *struct {
			Name    string            `json:"name"`
			Region  string            `json:"region"`
			Version string            `json:"version,omitempty"`
			Tags    map[string]string `json:"tags,omitempty"`
		} `json:"metadata"`
		KubernetesNetworkConfig *struct {
			IPFamily string `json:"ipFamily,omitempty"`
		} `json:"kubernetesNetworkConfig,omitempty"`
		IAM *struct {
			WithOIDC                *bool                          `json:"withOIDC,omitempty"`
			ServiceAccounts         []*eksctlServiceAccount        `json:"serviceAccounts,omitempty"`
			PodIdentityAssociations []eksctlPodIdentityAssociation `json:"podIdentityAssociations,omitempty"`
		} `json:"iam,omitempty"`
		AccessConfig *struct {
			AccessEntries []eksctlAccessEntry `json:"accessEntries,omitempty"`
		} `json:"accessConfig,omitempty"`
		AutoModeConfig *struct {
			Enabled                *bool     `json:"enabled,omitempty"`
			NodeRoleARN            string    `json:"nodeRoleARN,omitempty"`
			NodePools              *[]string `json:"nodePools,omitempty"`
			PermissionsBoundaryARN string    `json:"permissionsBoundaryARN,omitempty"`
		} `json:"autoModeConfig,omitempty"`
		Addons            []*eksctlAddon `json:"addons,omitempty"`
		ManagedNodeGroups []*struct {
			Name      string              `json:"name"`
			AMIFamily string              `json:"amiFamily,omitempty"`
			IAM       *eksctlNodeGroupIAM `json:"iam,omitempty"`
		} `json:"managedNodeGroups,omitempty"`
	}

	// eksctlAccessEntry is pkg/apis/eksctl.io/v1alpha5 access_entry.go's
	// AccessEntry.
	eksctlAccessEntry struct {
		PrincipalARN       string   `json:"principalARN"`
		Type               string   `json:"type,omitempty"`
		KubernetesGroups   []string `json:"kubernetesGroups,omitempty"`
		KubernetesUsername string   `json:"kubernetesUsername,omitempty"`
		AccessPolicies     []struct {
			PolicyARN   string `json:"policyARN"`
			AccessScope struct {
				Type       string   `json:"type"`
				Namespaces []string `json:"namespaces,omitempty"`
			} `json:"accessScope"`
		} `json:"accessPolicies,omitempty"`
	}
)

// eksctlAMIFamilies are the AMI families eksctl's schema lists for a
// managed node group.
var eksctlAMIFamilies = []string{
	"AmazonLinux2023", "AmazonLinux2", "UbuntuPro2604", "Ubuntu2604", "UbuntuPro2404", "Ubuntu2404",
	"UbuntuPro2204", "Ubuntu2204", "UbuntuPro2004", "Ubuntu2004", "Bottlerocket", "BottlerocketFips",
	"WindowsServer2019CoreContainer", "WindowsServer2019FullContainer", "WindowsServer2022CoreContainer",
	"WindowsServer2022FullContainer", "WindowsServer2025CoreContainer", "WindowsServer2025FullContainer",
}

// eksctlARN is what eksctl's ARN type parses (aws-sdk-go-v2 arn.Parse):
// arn:partition:service:region:account:resource.
var eksctlARN = regexp.MustCompile(`^arn:[^:]+:[^:]+:[^:]*:[^:]*:.+$`)

// accessEntries applies eksctl's validateAccessEntries and
// ValidateAutoModeConfig (access_entry.go, auto_mode.go).
func (cfg *eksctlClusterConfig) accessEntries(fail func(string, ...any)) {
	if a := cfg.AccessConfig; a != nil {
		seen := map[string]bool{}
		for i, ae := range a.AccessEntries {
			path := fmt.Sprintf("accessEntries[%d]", i)
			if !eksctlARN.MatchString(ae.PrincipalARN) {
				fail("%s.principalARN must be set to a valid AWS ARN", path)
			}
			switch ae.Type {
			case "", "STANDARD":
			case "EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX":
				if len(ae.KubernetesGroups) > 0 || ae.KubernetesUsername != "" {
					fail("cannot specify %s.kubernetesGroups nor %s.kubernetesUsername when type is set to %s", path, path, ae.Type)
				}
				if len(ae.AccessPolicies) > 0 {
					fail("cannot specify %s.accessPolicies when type is set to %s", path, ae.Type)
				}
			default:
				fail("invalid access entry type %q for %s", ae.Type, path)
			}
			for _, ap := range ae.AccessPolicies {
				if !eksctlARN.MatchString(ap.PolicyARN) || !strings.Contains(ap.PolicyARN, ":cluster-access-policy/") {
					fail("%s.policyARN must be a cluster-access-policy resource", path)
				}
				if t := ap.AccessScope.Type; t != "cluster" && t != "namespace" {
					fail("invalid access scope type %q for %s", t, path)
				}
			}
			if seen[ae.PrincipalARN] {
				fail("duplicate access entry %s with principal ARN %q", path, ae.PrincipalARN)
			}
			seen[ae.PrincipalARN] = true
		}
	}
	if a := cfg.AutoModeConfig; a != nil {
		enabled := a.Enabled != nil && *a.Enabled
		switch {
		case enabled && a.NodePools != nil && len(*a.NodePools) == 0 && a.NodeRoleARN != "":
			fail("cannot specify autoModeConfig.nodeRoleARN when autoModeConfig.nodePools is empty")
		case enabled && a.NodeRoleARN != "" && a.PermissionsBoundaryARN != "":
			fail("cannot specify autoModeConfig.permissionBoundaryARN when autoModeConfig.nodeRoleARN is set")
		case !enabled && (a.NodeRoleARN != "" || a.NodePools != nil && len(*a.NodePools) > 0):
			fail("cannot set autoModeConfig.nodeRoleARN or autoModeConfig.nodePools when Auto Mode is disabled")
		case a.NodeRoleARN != "" && !eksctlARN.MatchString(a.NodeRoleARN):
			fail("autoModeConfig.nodeRoleARN %q is not an ARN", a.NodeRoleARN)
		}
	}
}

// any reports eksctl's HasPolicy: some well-known policy is on. (In
// eksctl the field is a value; a pointer here keeps an absent one absent
// when the config is written back for the exact-keys comparison.)
func (w *eksctlWellKnownPolicies) any() bool {
	return w != nil && *w != (eksctlWellKnownPolicies{})
}

var (
	eksctlNameRE    = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]*$`)
	eksctlTargetARN = regexp.MustCompile(`^arn:aws:iam::[0-9]{12}:role/.+$`)
)

// EksctlReadBack reads a ClusterConfig the way eksctl loads one
// (pkg/eks/api.go ParseConfig: sigs.k8s.io/yaml.UnmarshalStrict, a YAML
// 1.1 parser, with unknown and repeated keys refused) and applies the rules
// eksctl checks that a JSON Schema cannot express (pkg/apis/eksctl.io/
// v1alpha5/validation.go, addon.go; pkg/ctl/cmdutils/
// pod_identity_association.go; pkg/actions/podidentityassociation/
// validation.go). It also demands that YAML 1.1 read every value as YAML
// 1.2 does: eksctl would otherwise see true where eksiam wrote "yes".
func EksctlReadBack(data []byte) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	var cfg eksctlClusterConfig
	if err := k8syaml.UnmarshalStrict(data, &cfg); err != nil {
		return []error{fmt.Errorf("eksctl cannot load the config: %w", err)}
	}
	// eksctl's strict pass matches keys ignoring case, and its second pass
	// then drops a key of the wrong case silently: demand exact keys.
	var generic any
	if err := k8syaml.Unmarshal(data, &generic); err != nil {
		return []error{fmt.Errorf("eksctl cannot load the config: %w", err)}
	}
	exact, _ := json.Marshal(cfg)
	var back any
	if err := json.Unmarshal(exact, &back); err != nil {
		return []error{err}
	}
	var v12 any
	if err := yaml.Unmarshal(data, &v12); err != nil {
		return []error{fmt.Errorf("the config is not YAML: %w", err)}
	}
	if !reflect.DeepEqual(normalizeJSON(generic), normalizeJSON(v12)) {
		fail("YAML 1.1 (as eksctl reads it) and YAML 1.2 read the config differently: a value is unquoted that YAML 1.1 takes for a boolean or a number")
	}
	if !reflect.DeepEqual(normalizeJSON(generic), back) {
		fail("the config has keys eksctl would drop (a key of the wrong case, or an empty value)")
	}

	if cfg.APIVersion != "eksctl.io/v1alpha5" || cfg.Kind != "ClusterConfig" {
		fail("apiVersion/kind is %s/%s, not eksctl.io/v1alpha5/ClusterConfig", cfg.APIVersion, cfg.Kind)
	}
	if cfg.Metadata == nil || cfg.Metadata.Name == "" || cfg.Metadata.Region == "" {
		fail("metadata.name and metadata.region must be set")
		return errs
	}
	if !eksctlNameRE.MatchString(cfg.Metadata.Name) {
		fail("validation for %s failed, name must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", cfg.Metadata.Name)
	}

	seen := map[string]string{}
	association := func(path string, a eksctlPodIdentityAssociation, addon bool) {
		if a.Namespace == "" {
			fail("%s.namespace must be set", path)
		}
		if a.ServiceAccountName == "" {
			fail("%s.serviceAccountName must be set", path)
		}
		if a.RoleARN == "" && len(a.PermissionPolicy) == 0 && len(a.PermissionPolicyARNs) == 0 && !a.WellKnownPolicies.any() {
			fail("at least one of the following must be specified: %[1]s.roleARN, %[1]s.permissionPolicy, %[1]s.permissionPolicyARNs, %[1]s.wellKnownPolicies", path)
		}
		if a.RoleARN != "" && (len(a.PermissionPolicy) > 0 || len(a.PermissionPolicyARNs) > 0 || a.WellKnownPolicies.any()) {
			fail("%s: policies cannot be specified when roleARN is set", path)
		}
		if a.TargetRoleARN != "" && (!eksctlTargetARN.MatchString(a.TargetRoleARN) || strings.Count(a.TargetRoleARN, ":") != 5) {
			fail("%s: invalid targetRoleARN %q: eksctl takes arn:aws:iam::<12 digits>:role/NAME", path, a.TargetRoleARN)
		}
		if a.Policy != "" {
			if !json.Valid([]byte(a.Policy)) {
				fail("%s.policy is not a JSON document", path)
			}
			if a.DisableSessionTags == nil || !*a.DisableSessionTags {
				fail("%s.policy needs disableSessionTags: true (AWS refuses a session policy with session tags)", path)
			}
		}
		if addon && (a.TargetRoleARN != "" || a.DisableSessionTags != nil || a.Policy != "" || a.CreateServiceAccount) {
			fail("%s: eksctl does not pass targetRoleARN, disableSessionTags, policy or createServiceAccount of an add-on's association to EKS", path)
		}
		key := a.Namespace + "/" + a.ServiceAccountName
		if prev, ok := seen[key]; ok {
			fail("%s: %s already has an association at %s; EKS allows one per ServiceAccount", path, key, prev)
		}
		seen[key] = path
	}
	iam := cfg.IAM
	if iam != nil {
		if len(iam.ServiceAccounts) > 0 && (iam.WithOIDC == nil || !*iam.WithOIDC) {
			fail("iam.withOIDC must be enabled explicitly for iam.serviceAccounts to be created")
		}
		sas := map[string]bool{}
		for i, sa := range iam.ServiceAccounts {
			path := fmt.Sprintf("iam.serviceAccounts[%d]", i)
			if sa.Metadata.Name == "" {
				fail("%s.name must be set", path)
			}
			ns := sa.Metadata.Namespace
			if ns == "" {
				ns = "default"
			}
			if sas[ns+"/"+sa.Metadata.Name] {
				fail("<namespace>/<name> of %s %q is not unique", path, ns+"/"+sa.Metadata.Name)
			}
			sas[ns+"/"+sa.Metadata.Name] = true
			if len(sa.AttachPolicyARNs) == 0 && sa.AttachPolicy == nil && sa.AttachRoleARN == "" && !sa.WellKnownPolicies.any() {
				fail("%[1]s.wellKnownPolicies, %[1]s.attachPolicyARNs,%[1]s.attachRoleARN  or %[1]s.attachPolicy must be set", path)
			}
		}
		for i, a := range iam.PodIdentityAssociations {
			association(fmt.Sprintf("podIdentityAssociations[%d]", i), a, false)
		}
	}
	addons := map[string]*eksctlAddon{}
	for i, ad := range cfg.Addons {
		if ad.Name == "" {
			fail("addons[%d]: name is required", i)
			continue
		}
		if addons[strings.ToLower(ad.Name)] != nil {
			fail("addons[%d]: add-on %s is listed twice", i, ad.Name)
		}
		addons[strings.ToLower(ad.Name)] = ad
		if ad.PodIdentityAssociations == nil {
			continue
		}
		if strings.EqualFold(ad.Name, "eks-pod-identity-agent") {
			fail("cannot set pod identity associations for \"eks-pod-identity-agent\" addon")
		}
		for j, a := range *ad.PodIdentityAssociations {
			association(fmt.Sprintf("addons[%s].podIdentityAssociations[%d]", ad.Name, j), a, true)
		}
	}
	if len(seen) > 0 && addons["eks-pod-identity-agent"] == nil {
		fail("pod identity associations need the eks-pod-identity-agent add-on; eksctl stops with ErrPodIdentityAgentNotInstalled without it")
	}
	if n := cfg.KubernetesNetworkConfig; n != nil && n.IPFamily != "" {
		switch {
		case strings.EqualFold(n.IPFamily, "IPv4"):
		case strings.EqualFold(n.IPFamily, "IPv6"):
			var missing []string
			for _, name := range []string{"vpc-cni", "coredns", "kube-proxy"} {
				if addons[name] == nil {
					missing = append(missing, name)
				}
			}
			if len(missing) > 0 {
				fail("the default core addons must be defined for IPv6; missing addon(s): %s", strings.Join(missing, ","))
			}
			if iam == nil || iam.WithOIDC == nil || !*iam.WithOIDC {
				fail("oidc needs to be enabled if IPv6 is set")
			}
			if cni := addons["vpc-cni"]; cni != nil && cni.Version != "" && cni.Version != "latest" {
				fail("vpc-cni version %s: eksiam should leave it to eksctl", cni.Version)
			}
		default:
			fail("invalid value %q for ipFamily; allowed are IPv4 and IPv6", n.IPFamily)
		}
	}
	cfg.accessEntries(fail)
	groups := map[string]bool{}
	for i, g := range cfg.ManagedNodeGroups {
		path := fmt.Sprintf("managedNodeGroups[%d]", i)
		switch {
		case g.Name == "":
			fail("%s.name must be set", path)
		case groups[g.Name]:
			fail("%s.name %q is not unique", path, g.Name)
		case !eksctlNameRE.MatchString(g.Name):
			fail("%s.name %q: name must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", path, g.Name)
		}
		groups[g.Name] = true
		if g.AMIFamily != "" && !slices.Contains(eksctlAMIFamilies, g.AMIFamily) {
			fail("%s.amiFamily %q is not an AMI family eksctl knows", path, g.AMIFamily)
		}
		if g.IAM != nil && len(g.IAM.AttachPolicyARNs) > 10 {
			fail("%s.iam.attachPolicyARNs has %d policies; IAM attaches at most 10 to a role by default", path, len(g.IAM.AttachPolicyARNs))
		}
		if g.IAM != nil && slices.ContainsFunc(g.IAM.AttachPolicyARNs, func(a string) bool { return !strings.HasPrefix(a, "arn:") || !strings.Contains(a, ":policy/") }) {
			fail("%s.iam.attachPolicyARNs has an entry that is not a policy ARN", path)
		}
	}
	return errs
}

// normalizeJSON makes a decoded YAML document comparable with its JSON
// round trip: maps with string keys, numbers as float64.
func normalizeJSON(v any) any {
	data, err := json.Marshal(convertKeys(v))
	if err != nil {
		return fmt.Sprintf("unmarshallable: %v", err)
	}
	var out any
	_ = json.Unmarshal(data, &out)
	return out
}

func convertKeys(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range t {
			out[k] = convertKeys(x)
		}
		return out
	case map[any]any:
		out := map[string]any{}
		for k, x := range t {
			out[fmt.Sprint(k)] = convertKeys(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = convertKeys(x)
		}
		return out
	}
	return v
}
