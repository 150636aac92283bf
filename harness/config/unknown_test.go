package config

import (
	"sort"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/redact"
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

// The name of an unknown variable is shown, so a name that holds a key
// (a pasted "WINSTON_API_KEY:<key>", or "export WINSTON_$KEY") must not
// be shown as it is; and the value of a misspelt key variable whose name
// lacks the word KEY is a key all the same.
func TestAnUnknownVariableNeverShowsAKeyInItsNameOrValue(t *testing.T) {
	const key = "NameKey0a1b2c3d4e5f6a7b8c9"
	for _, name := range []string{"WINSTON_API_KEY:" + key, "WINSTON_" + key, "WINSTON_API_KEY " + key} {
		_, err := loadVars(map[string]string{name: "1"})
		if err == nil {
			t.Fatalf("%q was accepted", name)
		}
		if strings.Contains(err.Error(), key) {
			t.Errorf("%q: the error shows the key in the name: %v", name, err)
		}
		if !strings.Contains(err.Error(), "WINSTON_") {
			t.Errorf("%q: the error does not say which variable: %v", name, err)
		}
	}
	const value = "ValueKey0a1b2c3d4e5f6a7b8c9"
	if _, err := loadVars(map[string]string{"WINSTON_API_KY": value}); err == nil {
		t.Fatal("WINSTON_API_KY was accepted")
	}
	if got := redact.Global().String(value); got == value {
		t.Errorf("the value of WINSTON_API_KY (closest to %s) was not registered as a secret", EnvAPIKey)
	}
}

func TestAHiddenNameStillGetsTheRightSuggestion(t *testing.T) {
	_, err := loadVars(map[string]string{"WINSTON_API_KEY:NameKey0a1b2c3d4e5f6a7b8c9": "1"})
	if err == nil || !strings.Contains(err.Error(), "did you mean "+EnvAPIKey+"?") {
		t.Errorf("want the suggestion %s: %v", EnvAPIKey, err)
	}
}

// A name that is the prefix and a key ("export WINSTON_$KEY") was meant
// to set the key: that is the suggestion, not the nearest spelling of
// the placeholder.
func TestANameThatIsAKeySuggestsTheKeyVariable(t *testing.T) {
	_, err := loadVars(map[string]string{"WINSTON_NameKey0a1b2c3d4e5f6a7b8c9": "1"})
	if err == nil || !strings.Contains(err.Error(), "did you mean "+EnvAPIKey+"?") {
		t.Errorf("want the suggestion %s: %v", EnvAPIKey, err)
	}
}
