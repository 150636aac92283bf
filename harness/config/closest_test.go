package config

import "testing"

// Both "did you mean" searches share nearest: each keeps its own distance
// (underscores ignored for variable names, case ignored for IDs) and the
// same tie rule (the first in sorted order).
func TestClosestNames(t *testing.T) {
	vars := []string{EnvReportDir, EnvAPIKey2, EnvAPIKey, EnvAppName, EnvNow, EnvMode}
	for _, c := range []struct{ name, want string }{
		// A word of a known name: the name it belongs to, not the one a
		// few letters away (WINSTON_NOW).
		{"WINSTON_KEY", EnvAPIKey},
		{"WINSTON_NOWW", EnvNow},
		{"WINSTON_APIKEY", EnvAPIKey},
		{"WINSTON_API_KEY2", EnvAPIKey2},
		{"WINSTON_APPNAME", EnvAppName},
		{"WINSTON_REPORTDIR", EnvReportDir},
	} {
		if got := closestName(c.name, vars); got != c.want {
			t.Errorf("closestName(%q) = %q, want %q", c.name, got, c.want)
		}
	}
	ids := []string{"BILL-002", "AUTH-002", "AUTH-001"}
	for _, c := range []struct{ name, want string }{
		{"auth-001", "AUTH-001"},
		{"bill-02", "BILL-002"},
		{"XXXX-000", "AUTH-001"}, // a tie: the first in sorted order
	} {
		if got := Closest(c.name, ids); got != c.want {
			t.Errorf("Closest(%q) = %q, want %q", c.name, got, c.want)
		}
	}
	if got := Closest("AUTH-001", nil); got != "" {
		t.Errorf("Closest with nothing known = %q, want empty", got)
	}
}
