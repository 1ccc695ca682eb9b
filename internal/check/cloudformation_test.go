package check

import (
	"strings"
	"testing"

	"github.com/eksiam/eksiam/internal/testenv"
)

const goodTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  ClusterName:
    Type: String
    Default: c
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub ${ClusterName}-app
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: pods.eks.amazonaws.com
            Action: [sts:AssumeRole, sts:TagSession]
      Policies:
        - PolicyName: eksiam-policy
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: !Sub arn:${AWS::Partition}:s3:::b/${!aws:username}/*
  AppPodIdentityAssociation:
    Type: AWS::EKS::PodIdentityAssociation
    Properties:
      ClusterName: !Ref ClusterName
      Namespace: a
      ServiceAccount: b
      RoleArn: !GetAtt AppRole.Arn
Outputs:
  AppRoleArn:
    Value: !GetAtt AppRole.Arn
`

// TestCloudFormationCatchesMistakes shows that the golden semantics check
// fails on the mistakes it exists for.
func TestCloudFormationCatchesMistakes(t *testing.T) {
	s, err := LoadCFNSchema(testenv.Shared(t, "reference/cfn-iam-eks.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if errs := CloudFormation([]byte(goodTemplate), s); len(errs) != 0 {
		t.Fatalf("a correct template fails: %v", errs)
	}
	for _, tc := range []struct{ name, from, to, want string }{
		{"misspelled property", "      RoleName: !Sub", "      RoleNam: !Sub", "RoleNam"},
		{"missing required property", "      RoleArn: !GetAtt AppRole.Arn\n", "", "RoleArn"},
		{"unknown resource type", "Type: AWS::IAM::Role\n", "Type: AWS::IAM::Rol\n", "does not validate"},
		{"dangling Ref", "!Ref ClusterName", "!Ref Cluster", "Ref Cluster names no parameter"},
		{"dangling GetAtt", "RoleArn: !GetAtt AppRole.Arn", "RoleArn: !GetAtt AppRoles.Arn", "GetAtt AppRoles.Arn names no resource"},
		{"unknown attribute", "RoleArn: !GetAtt AppRole.Arn", "RoleArn: !GetAtt AppRole.Name", "has no attribute Name"},
		{"IAM policy variable unescaped in Sub", "${!aws:username}", "${aws:username}", "Ref aws:username names no parameter"},
		{"needless Sub", "!Sub ${ClusterName}-app", "!Sub fixed-name", "has no variable"},
		{"wrong value type", "Namespace: a", "Namespace: [a]", "does not validate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(goodTemplate, tc.from, tc.to, 1)
			if bad == goodTemplate {
				t.Fatalf("the test's replacement of %q changed nothing", tc.from)
			}
			var all []string
			for _, e := range CloudFormation([]byte(bad), s) {
				all = append(all, e.Error())
			}
			if !strings.Contains(strings.Join(all, "\n"), tc.want) {
				t.Errorf("want an error containing %q, got %q", tc.want, all)
			}
		})
	}
}

func TestSubVariables(t *testing.T) {
	got := strings.Join(SubVariables("arn:${AWS::Partition}:x/${!aws:username}/${Res.Arn}"), ",")
	if got != "AWS::Partition,Res.Arn" {
		t.Errorf("SubVariables = %s", got)
	}
}

func TestEksctlConfigCatchesUnknownKeys(t *testing.T) {
	s, err := CompileSchema(testenv.Shared(t, "reference/eksctl-schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	good := "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: c\n  region: eu-west-1\niam:\n  podIdentityAssociations:\n    - namespace: a\n      serviceAccountName: b\n      roleName: r\n"
	if err := EksctlConfig([]byte(good), s); err != nil {
		t.Fatalf("a correct ClusterConfig fails: %v", err)
	}
	for _, bad := range []string{
		strings.Replace(good, "roleName: r", "roleNames: r", 1),
		strings.Replace(good, "serviceAccountName: b", "serviceAccountName: [b]", 1),
		strings.Replace(good, "kind: ClusterConfig", "kind: Cluster", 1),
	} {
		if err := EksctlConfig([]byte(bad), s); err == nil {
			t.Errorf("an invalid ClusterConfig passes:\n%s", bad)
		}
	}
}
