package cloudformation

import "testing"

func TestRefersTo(t *testing.T) {
	for body, want := range map[string]bool{
		"RoleName: !Sub ${Project}-x\n":        true,
		"ClusterName: !Ref Project\n":          true,
		"ClusterName: !Ref Project":            true,
		"Roles: [!Ref Project]\n":              true,
		"ClusterName: !Ref ProjectName\n":      false,
		"RoleName: !Sub ${ProjectName}-x\n":    false,
		"RoleName: !Sub ${!Project}-x\n":       false,
		"x: !Ref ProjectName\ny: !Ref Project": true,
	} {
		if got := refersTo([]byte(body), "Project"); got != want {
			t.Errorf("refersTo(%q, Project) = %v", body, got)
		}
	}
}
