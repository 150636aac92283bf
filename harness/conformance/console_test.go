package conformance

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/formatter"

	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// Ginkgo's console lines pass through the redactor: a key in a panic's
// text or an unredacted message never reaches the terminal or a CI log.
func TestTheConsoleIsRedacted(t *testing.T) {
	const key = "console-key-0123456789abcdef"
	redact.Global().Add(key, "<CONSOLE_KEY>")
	before, beforeErr := formatter.ColorableStdOut, formatter.ColorableStdErr
	defer func() { formatter.ColorableStdOut, formatter.ColorableStdErr = before, beforeErr }()
	var out, errOut bytes.Buffer
	formatter.ColorableStdOut, formatter.ColorableStdErr = &out, &errOut
	restore := RedactConsole()
	fmt.Fprintf(formatter.ColorableStdOut, "[PANICKED] Token api_test@%s\n", key)
	fmt.Fprintf(formatter.ColorableStdErr, "no newline %s", key)
	fmt.Fprint(formatter.ColorableStdOut, "•")
	restore()
	if !strings.HasSuffix(out.String(), "•") {
		t.Errorf("a progress dot is held back: %q", out.String())
	}
	for name, b := range map[string]*bytes.Buffer{"stdout": &out, "stderr": &errOut} {
		if strings.Contains(b.String(), key) || !strings.Contains(b.String(), "<CONSOLE_KEY>") {
			t.Errorf("%s: %q", name, b.String())
		}
	}
}
