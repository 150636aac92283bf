package cassette

import (
	"fmt"
	"strings"

	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// MissError is a replayed request the cassette has no answer for: either
// nothing like it was recorded, or every recorded answer for it was
// already used. It unwraps to ErrInteractionMissing. Error() explains the
// miss on several lines: the cassette, the request, the nearest recorded
// request and how they differ, and the command that re-records.
type MissError struct {
	// File is the cassette that was searched.
	File string
	// Requirement is the ID of the spec whose cassette it is.
	Requirement string
	// Request is what the spec sent, as the matcher saw it (redacted).
	Request Shape
	// Nearest is the recorded request that differs from Request in the
	// fewest fields; nil when the cassette records no request.
	Nearest *Shape
	// NearestIndex is Nearest's position in the cassette's interactions.
	NearestIndex int
	// Differences are the fields in which Nearest differs from Request;
	// empty when the request was recorded but already replayed.
	Differences []Difference
	// Replayed is how many times the request was already answered when
	// every recorded answer for it is used up; 0 for a request that was
	// never recorded.
	Replayed int
	// Command re-records the cassette (`make record FOCUS=<ID>`).
	Command string

	red *redact.Redactor
}

// Difference is one field in which a request differs from the nearest
// recorded one.
type Difference struct {
	// Field is method, scheme, path, query, auth or body.
	Field string
	// Recorded and Sent are the field's values in the cassette and in the
	// request (redacted; bodies cut to an excerpt).
	Recorded, Sent string
}

// Unwrap lets errors.Is(err, ErrInteractionMissing) see a miss.
func (e *MissError) Unwrap() error { return ErrInteractionMissing }

// Error is the multi-line explanation of the miss, redacted.
func (e *MissError) Error() string {
	var b strings.Builder
	if e.Replayed > 0 {
		fmt.Fprintf(&b, "cassette %s: request already replayed %d times: %s records %d answer(s) for it and the spec %s sent it once more\n",
			e.Requirement, e.Replayed, e.File, e.Replayed, e.Requirement)
	} else {
		fmt.Fprintf(&b, "cassette %s: no recorded interaction in %s matches the request\n", e.Requirement, e.File)
	}
	fmt.Fprintf(&b, "  request sent:     %s\n", describe(e.Request))
	switch {
	case e.Nearest == nil:
		b.WriteString("  the cassette records no request at all\n")
	case e.Replayed > 0:
		fmt.Fprintf(&b, "  recorded request: interactions[%d] %s (identical)\n", e.NearestIndex, describe(*e.Nearest))
	default:
		fmt.Fprintf(&b, "  nearest recorded: interactions[%d] %s\n", e.NearestIndex, describe(*e.Nearest))
		b.WriteString("  differs in:\n")
		for _, d := range e.Differences {
			fmt.Fprintf(&b, "    %-6s recorded %s\n", d.Field+":", d.Recorded)
			fmt.Fprintf(&b, "    %-6s sent     %s\n", "", d.Sent)
		}
	}
	b.WriteString("  If the request changed on purpose (spec, catalogue, fixtures), re-record the cassette:\n")
	b.WriteString("    " + e.Command)
	msg := b.String()
	if e.red != nil {
		msg = e.red.String(msg)
	}
	return msg
}

// describe is a one-line view of a shape for an error message.
func describe(s Shape) string {
	q := ""
	if s.Query != "" {
		q = "?" + s.Query
	}
	return fmt.Sprintf("%s %s://<any host>%s%s auth=%s body=%s", s.Method, s.Scheme, s.Path, q, s.Auth, excerpt(s.Body))
}

// maxExcerpt bounds a body shown in a miss, so a large body does not bury
// the explanation.
const maxExcerpt = 240

func excerpt(body string) string {
	if body == "" {
		return "(empty)"
	}
	if len(body) > maxExcerpt {
		return fmt.Sprintf("%q... (%d bytes)", body[:maxExcerpt], len(body))
	}
	return fmt.Sprintf("%q", body)
}

// miss builds the error for a request that found no answer. replayed is
// the number of earlier answers to the same key (0: never recorded). The
// nearest request is found by a scan, which only a miss pays for.
func (r *replayer) miss(sent Shape, replayed int) error {
	e := &MissError{
		File:        r.s.file,
		Requirement: r.s.id,
		Request:     sent,
		Replayed:    replayed,
		Command:     RecordCommand(r.s.id),
		red:         r.red,
	}
	best := -1
	var bestDiff []Difference
	for i, rec := range r.ix.shapes {
		d := differences(rec, sent)
		if best < 0 || len(d) < len(bestDiff) {
			best, bestDiff = i, d
			if len(d) == 0 {
				break
			}
		}
	}
	if best >= 0 {
		n := r.ix.shapes[best]
		e.Nearest, e.NearestIndex, e.Differences = &n, best, bestDiff
	}
	return e
}

// differences lists the fields of the match key in which two shapes
// differ, in the order a reader checks them.
func differences(rec, sent Shape) []Difference {
	var out []Difference
	add := func(field, a, b string) {
		if a != b {
			out = append(out, Difference{Field: field, Recorded: a, Sent: b})
		}
	}
	add("method", rec.Method, sent.Method)
	add("scheme", rec.Scheme, sent.Scheme)
	add("path", rec.Path, sent.Path)
	add("query", orNone(rec.Query), orNone(sent.Query))
	add("auth", rec.Auth, sent.Auth)
	if rec.BodyHash != sent.BodyHash {
		out = append(out, Difference{Field: "body", Recorded: excerpt(rec.Body), Sent: excerpt(sent.Body)})
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
