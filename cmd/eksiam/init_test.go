package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCopyKeepsCRLFAndBOM: a Windows-edited spec keeps its line endings,
// byte-order mark and comments; only what must change does.
func TestCopyKeepsCRLFAndBOM(t *testing.T) {
	src := "\ufeffversion: 1\r\nproject: shop\r\nenvironment: prod\r\ncluster:\r\n  region: eu-west-1\r\n  accountId: \"111122223333\"\r\nirsa:  # the provider\r\n  oidcProviderArn: \"arn:aws:iam::111122223333:oidc-provider/x\"\r\n"
	want := "\ufeffversion: 1\r\nproject: pay\r\nenvironment: dev\r\ncluster:\r\n  region: eu-west-1\r\nirsa: {}  # the provider\r\n"
	p := filepath.Join(t.TempDir(), "src.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	got, err := copySpec(p, "pay", "dev", "", &stdout, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if string(got) != want {
		t.Errorf("copy:\n%q\nwant:\n%q", got, want)
	}
	if stdout.Len() > 0 {
		t.Errorf("the layout should have been kept, but: %s", stdout.String())
	}
}
