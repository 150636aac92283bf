package config

import "testing"

// The near-miss key replaces one letter or digit, the last, with a letter
// (keys issued in sequence differ in their last digits, and the next one
// may be another tenant's), and is never the second tenant's key.
func TestNearKeyChangesOneCharacterAndAvoidsTheSecondKey(t *testing.T) {
	for _, c := range []struct{ key, avoid, want string }{
		{"sandbox-tenant-1-key-0001", "", "sandbox-tenant-1-key-000Z"},
		{"sandbox-tenant-1-key-000Z", "", "sandbox-tenant-1-key-000z"},
		{"sandbox-tenant-1-key-0001", "sandbox-tenant-1-key-000Z", "sandbox-tenant-1-key-000z"},
		{"k3y+w/Ab=c9==", "", "k3y+w/Ab=cZ=="},
		{"++//", "", "++/Z"},
		{"+é/ü", "", "+éZü"},
		{"éüöäßø", "", "éüöäßZ"},
	} {
		if got := NearKey(c.key, c.avoid); got != c.want {
			t.Errorf("NearKey(%q, %q) = %q, want %q", c.key, c.avoid, got, c.want)
		}
	}
}
