// Command eksiam generates the IAM infrastructure-as-code of an EKS
// environment (the node role and one role per ServiceAccount) from one YAML
// spec, as Terraform, CloudFormation and an eksctl ClusterConfig. Run "eksiam help" for its commands.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
