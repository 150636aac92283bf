package config

import (
	"sort"
	"strings"
	"testing"
)

// loadVars loads vars as if they were the whole process environment, so
// that the names of the variables set are known too.
func loadVars(vars map[string]string) (*Config, error) {
	environ := make([]string, 0, len(vars))
	for k, v := range vars {
		environ = append(environ, k+"="+v)
	}
	sort.Strings(environ)
	return loadEnviron(MapLookup(vars), environ)
}

// A misspelt variable used to be ignored: the run then went ahead with the
// default (replay, the embedded catalogue) and the user never learnt why.
func TestAnUnknownWinstonVariableIsRefusedNamingTheClosestKnownOne(t *testing.T) {
	for typo, want := range map[string]string{
		"WINSTON_APIKEY":      EnvAPIKey,
		"WINSTON_CATALOG":     EnvCatalogue,
		"WINSTON_BASEURL":     EnvBaseURL,
		"WINSTON_REPORTS_DIR": EnvReportDir,
		"WINSTON_MOED":        EnvMode,
	} {
		const value = "typo-value-must-not-be-shown-123"
		_, err := loadVars(map[string]string{typo: value})
		requireField(t, err, typo, want)
		if err != nil && strings.Contains(err.Error(), value) {
			t.Errorf("%s: the error shows the value (it may be a key): %v", typo, err)
		}
	}
}

func TestKnownVariablesAndOtherPrefixesAreAccepted(t *testing.T) {
	vars := map[string]string{
		EnvMode: "replay", "WINSTON_SUITE_VERSION": "v1", "WINSTON_REQUIRE_BROWSER": "1",
		"WINSTONISH": "x", "HOME": "/root",
	}
	if _, err := loadVars(vars); err != nil {
		t.Errorf("known variables must load: %v", err)
	}
}
