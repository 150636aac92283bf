package sandbox

import (
	"path/filepath"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/config"
)

func TestTargetEnvLoadsAsALiveConfigurationOfThisSandbox(t *testing.T) {
	srv, err := Start(Options{Key: "target-env-key-1", Key2: "target-env-key-2", App: "target_env_app", AuthScheme: SchemeBearer,
		CAOut: filepath.Join(t.TempDir(), "ca.pem")})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	env := srv.TargetEnv()
	env[config.EnvReportDir] = t.TempDir()
	cfg, err := config.LoadFrom(config.MapLookup(env))
	if err != nil {
		t.Fatalf("the sandbox's variables must load as they are: %v", err)
	}
	if !cfg.IsLive() || cfg.BaseURL.String() != srv.HTTPSURL() || cfg.APIKey() != "target-env-key-1" || cfg.APIKey2() != "target-env-key-2" ||
		!cfg.Now.Equal(srv.Now()) || cfg.CAFile != srv.CAFile() || cfg.AppName != "target_env_app" || cfg.AuthScheme != config.SchemeBearer {
		t.Errorf("config does not name this sandbox: %v", cfg)
	}
}
