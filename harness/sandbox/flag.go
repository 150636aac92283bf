package sandbox

import "strings"

// FaultFlag is the value of a --fault command-line flag (flag.Value): it
// may repeat and may hold a comma-separated list. Names are checked by
// Start, which lists the known ones.
type FaultFlag []string

// String joins the names with commas.
func (f *FaultFlag) String() string { return strings.Join(*f, ",") }

// Set adds one name, or several separated by commas.
func (f *FaultFlag) Set(v string) error {
	for _, name := range strings.Split(v, ",") {
		if name = strings.TrimSpace(name); name != "" {
			*f = append(*f, name)
		}
	}
	return nil
}
