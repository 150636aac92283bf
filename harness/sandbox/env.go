package sandbox

import (
	"time"

	"github.com/winston-conformance/winston-conformance/harness/config"
)

// TargetEnv is the set of WINSTON_* variables that points the suite at this
// sandbox in live mode: its origins, its CA file (empty when Options.CAOut
// was not set), the app name and auth scheme it accepts, its two tenants'
// keys and its fixed clock as the reference time. Callers add what their
// run needs (a report directory, a cap).
func (s *Server) TargetEnv() map[string]string {
	return map[string]string{
		config.EnvMode:       string(config.ModeLive),
		config.EnvBaseURL:    s.HTTPSURL(),
		config.EnvHTTPURL:    s.HTTPURL(),
		config.EnvCAFile:     s.CAFile(),
		config.EnvAppName:    s.opts.App,
		config.EnvAuthScheme: s.opts.AuthScheme,
		config.EnvAPIKey:     s.opts.Key,
		config.EnvAPIKey2:    s.opts.Key2,
		config.EnvNow:        s.Now().Format(time.RFC3339),
	}
}
