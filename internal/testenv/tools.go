package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Missing skips the test with why, or fails it when CI=true, where every
// tool the tests use must be there.
func Missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("required in CI: %s", why)
	}
	t.Skipf("skipping: %s", why)
}

// Tool finds a command on PATH, as a user's shell would; without it the
// test skips (fails in CI) with a message naming it.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name+" is not on PATH")
	}
	return p
}

// TerraformEnv is the environment for running terraform offline. It uses
// the CLI configuration that TF_CLI_CONFIG_FILE names when that file
// exists (a provider mirror set up as the user has it). Otherwise it looks
// for a local mirror of hashicorp/aws (a folder holding
// registry.terraform.io/hashicorp/aws) where EKSIAM_TF_PROVIDER_MIRROR
// points, then in Terraform's own implied mirror folders, then in the
// folders directly under /opt, and writes a CLI configuration that
// installs providers from it only. Without either, the test skips (fails
// in CI): terraform init cannot reach a registry here.
func TerraformEnv(t testing.TB) []string {
	t.Helper()
	env := append(os.Environ(), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_INPUT=0")
	if cfg := os.Getenv("TF_CLI_CONFIG_FILE"); cfg != "" {
		if _, err := os.Stat(cfg); err == nil {
			return env
		}
	}
	mirror := findProviderMirror()
	if mirror == "" {
		why := "no local mirror of the hashicorp/aws provider for terraform init offline: set TF_CLI_CONFIG_FILE to a CLI configuration with a filesystem_mirror, or EKSIAM_TF_PROVIDER_MIRROR to the mirror folder"
		if cfg := os.Getenv("TF_CLI_CONFIG_FILE"); cfg != "" {
			why += " (TF_CLI_CONFIG_FILE names " + cfg + ", which does not exist)"
		}
		Missing(t, why)
	}
	cfg := filepath.Join(t.TempDir(), "terraform.rc")
	rc := "provider_installation {\n  filesystem_mirror {\n    path    = " + quoteHCL(mirror) + "\n    include = [\"registry.terraform.io/*/*\"]\n  }\n" +
		"  direct {\n    exclude = [\"registry.terraform.io/*/*\"]\n  }\n}\n"
	if err := os.WriteFile(cfg, []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	return append(env, "TF_CLI_CONFIG_FILE="+cfg)
}

func findProviderMirror() string {
	var candidates []string
	if m := os.Getenv("EKSIAM_TF_PROVIDER_MIRROR"); m != "" {
		candidates = append(candidates, m)
	}
	if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(home, ".terraform.d", "plugins"))
	}
	if xdg := os.Getenv("XDG_DATA_HOME"); xdg != "" {
		candidates = append(candidates, filepath.Join(xdg, "terraform", "plugins"))
	}
	candidates = append(candidates, "/usr/local/share/terraform/plugins", "/usr/share/terraform/plugins")
	if opt, err := filepath.Glob("/opt/*"); err == nil {
		candidates = append(candidates, opt...)
	}
	for _, c := range candidates {
		if fi, err := os.Stat(filepath.Join(c, "registry.terraform.io", "hashicorp", "aws")); err == nil && fi.IsDir() {
			return c
		}
	}
	return ""
}

func quoteHCL(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "${", "$${", "%{", "%%{").Replace(s) + `"`
}
