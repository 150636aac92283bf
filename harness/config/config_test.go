package config

import "testing"

// The near-miss key changes one letter or digit, the last, within its
// class, and is never the second tenant's key (keys issued in sequence
// could differ in their last digit only).
func TestNearKeyChangesOneCharacterAndAvoidsTheSecondKey(t *testing.T) {
	for _, c := range []struct{ key, avoid, want string }{
		{"sandbox-tenant-1-key-0001", "", "sandbox-tenant-1-key-0002"},
		{"sandbox-tenant-1-key-0001", "sandbox-tenant-1-key-0002", "sandbox-tenant-1-key-0003"},
		{"abcZ", "", "abcA"},
		{"k3y+w/Ab=c9==", "", "k3y+w/Ab=c0=="},
		{"++//", "", "++/b"},
	} {
		if got := NearKey(c.key, c.avoid); got != c.want {
			t.Errorf("NearKey(%q, %q) = %q, want %q", c.key, c.avoid, got, c.want)
		}
	}
}
