package equiv

import (
	"encoding/json"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Eksctl is what an eksctl ClusterConfig grants. eksctl names node roles
// itself, one per managed node group, so node groups are kept apart from
// the named pod roles; trust is not part of the config.
type Eksctl struct {
	Form
	// NodeGroups maps each managed node group to its role's permissions
	// (Name is empty).
	NodeGroups map[string]Role
	// WithOIDC is iam.withOIDC.
	WithOIDC bool
	// AutoModeNodeRole is autoModeConfig.nodeRoleARN when Auto Mode is on.
	AutoModeNodeRole string
}

// FromEksctl reads a ClusterConfig.
func FromEksctl(data []byte) (Eksctl, error) {
	var cfg map[string]any
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return Eksctl{}, fmt.Errorf("parsing the ClusterConfig: %w", err)
	}
	meta, _ := cfg["metadata"].(map[string]any)
	cluster := str(meta["name"])
	out := Eksctl{NodeGroups: map[string]Role{}}
	iamCfg, _ := cfg["iam"].(map[string]any)
	out.WithOIDC, _ = iamCfg["withOIDC"].(bool)
	role := func(name string, arns, policy any) (Role, error) {
		r := Role{Name: name, ManagedARNs: strs(arns)}
		if policy != nil {
			perms, err := fromJSONDocument(policy)
			if err != nil {
				return r, fmt.Errorf("role %s: %w", name, err)
			}
			r.Permissions = perms
		}
		return r, nil
	}
	association := func(entry any) error {
		a, _ := entry.(map[string]any)
		r, err := role(str(a["roleName"]), a["permissionPolicyARNs"], a["permissionPolicy"])
		if err != nil {
			return err
		}
		out.Roles = append(out.Roles, r)
		disable, _ := a["disableSessionTags"].(bool)
		assoc := Association{Cluster: cluster, Namespace: str(a["namespace"]), ServiceAccount: str(a["serviceAccountName"]),
			Role: r.Name, TargetRole: str(a["targetRoleARN"]), SessionTags: !disable}
		if pol := str(a["policy"]); pol != "" {
			var d any
			if err := json.Unmarshal([]byte(pol), &d); err != nil {
				return fmt.Errorf("association %s/%s: session policy is not JSON: %w", assoc.Namespace, assoc.ServiceAccount, err)
			}
			if assoc.SessionPolicy, err = fromJSONDocument(d); err != nil {
				return err
			}
		}
		out.Associations = append(out.Associations, assoc)
		return nil
	}
	for _, entry := range strsAny(iamCfg["podIdentityAssociations"]) {
		if err := association(entry); err != nil {
			return Eksctl{}, err
		}
	}
	for _, addon := range strsAny(cfg["addons"]) {
		a, _ := addon.(map[string]any)
		for _, entry := range strsAny(a["podIdentityAssociations"]) {
			if err := association(entry); err != nil {
				return Eksctl{}, err
			}
		}
	}
	for _, entry := range strsAny(iamCfg["serviceAccounts"]) {
		sa, _ := entry.(map[string]any)
		r, err := role(str(sa["roleName"]), sa["attachPolicyARNs"], sa["attachPolicy"])
		if err != nil {
			return Eksctl{}, err
		}
		out.Roles = append(out.Roles, r)
	}
	for _, g := range strsAny(cfg["managedNodeGroups"]) {
		ng, _ := g.(map[string]any)
		ngIAM, _ := ng["iam"].(map[string]any)
		r, err := role("", ngIAM["attachPolicyARNs"], ngIAM["attachPolicy"])
		if err != nil {
			return Eksctl{}, err
		}
		nf := Form{Roles: []Role{r}}
		nf.normalize()
		out.NodeGroups[str(ng["name"])] = nf.Roles[0]
	}
	access, _ := cfg["accessConfig"].(map[string]any)
	for _, entry := range strsAny(access["accessEntries"]) {
		a, _ := entry.(map[string]any)
		ae := AccessEntry{Principal: str(a["principalARN"]), Type: str(a["type"])}
		for _, ap := range strsAny(a["accessPolicies"]) {
			p, _ := ap.(map[string]any)
			ae.Policies = append(ae.Policies, str(p["policyARN"]))
		}
		out.AccessEntries = append(out.AccessEntries, ae)
	}
	if auto, _ := cfg["autoModeConfig"].(map[string]any); auto["enabled"] == true {
		out.AutoModeNodeRole = str(auto["nodeRoleARN"])
	}
	out.normalize()
	return out, nil
}
