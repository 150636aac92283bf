package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"
)

// readObject reads the body within MaxBodyBytes and checks it in the
// documented order: size (413), UTF-8, nesting depth, JSON syntax, and a
// JSON object at the top (400). A hostile body costs at most MaxBodyBytes
// of memory and one linear scan.
func (s *Server) readObject(r *http.Request) (map[string]json.RawMessage, *apiError) {
	tooLarge := &apiError{status: http.StatusRequestEntityTooLarge, message: "the request body is larger than 1 MiB"}
	if r.ContentLength > MaxBodyBytes {
		return nil, tooLarge
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, &apiError{status: http.StatusBadRequest, message: "the request body could not be read completely"}
	}
	if len(data) > MaxBodyBytes {
		return nil, tooLarge
	}
	if !utf8.Valid(data) {
		return nil, &apiError{status: http.StatusBadRequest, message: "the request body is not valid UTF-8"}
	}
	if tooDeep(data, MaxJSONDepth) {
		return nil, &apiError{status: http.StatusBadRequest, message: "the request body nests arrays and objects deeper than 64 levels"}
	}
	if len(bytes.TrimSpace(data)) == 0 || !json.Valid(data) {
		if s.faults.on(faultMalformedJSON500) {
			return nil, &apiError{status: http.StatusInternalServerError, message: "unexpected error while reading the request"}
		}
		if s.faults.on(faultMalformedJSON502) {
			// The backend crashed on it; its gateway answers.
			return nil, &apiError{status: http.StatusBadGateway, message: "bad gateway: the upstream closed the connection"}
		}
		return nil, &apiError{status: http.StatusBadRequest, message: "the request body is not valid JSON: send a JSON object, e.g. {}"}
	}
	trimmed := bytes.TrimSpace(data)
	var obj map[string]json.RawMessage
	if trimmed[0] != '{' || json.Unmarshal(trimmed, &obj) != nil {
		return nil, &apiError{status: http.StatusBadRequest, message: "the request body must be a JSON object, e.g. {}"}
	}
	return obj, nil
}

// tooDeep reports whether data nests arrays or objects deeper than limit.
// It scans bytes without recursion, so a million '[' cost no stack.
func tooDeep(data []byte, limit int) bool {
	depth := 0
	inString, escaped := false, false
	for _, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			if depth > limit {
				return true
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return false
}

// errNotInteger is returned by intValue for anything but an integer.
var errNotInteger = errors.New("not an integer")

// intValue reads a JSON integer literal. 5.0 and 1e2 are refused: a count
// is written as an integer. With lenient (fault lenient-types) a string
// holding an integer ("5") is accepted too.
func intValue(raw json.RawMessage, lenient bool) (int64, error) {
	raw = bytes.TrimSpace(raw)
	if lenient && len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, errNotInteger
		}
		raw = []byte(s)
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, errNotInteger
	}
	return n, nil
}

// stringValue reads a JSON string; null and other types are refused.
func stringValue(raw json.RawMessage, field string) (string, *apiError) {
	raw = bytes.TrimSpace(raw)
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", badField(field, "%s must be a string", field)
	}
	return s, nil
}

// timeValue reads an RFC 3339 timestamp string.
func timeValue(raw json.RawMessage, field string) (time.Time, *apiError) {
	s, e := stringValue(raw, field)
	if e != nil {
		return time.Time{}, badField(field, "%s must be an RFC 3339 time string, e.g. \"2026-11-20T00:00:00Z\"", field)
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, badField(field, "%s must be an RFC 3339 time string, e.g. \"2026-11-20T00:00:00Z\"", field)
	}
	return t, nil
}

// boolValue reads a JSON boolean.
func boolValue(raw json.RawMessage, field string) (bool, *apiError) {
	switch string(bytes.TrimSpace(raw)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, badField(field, "%s must be true or false", field)
}

// objectValue reads a JSON object (not null) into its raw members.
func objectValue(raw json.RawMessage, field string) (map[string]json.RawMessage, *apiError) {
	raw = bytes.TrimSpace(raw)
	var obj map[string]json.RawMessage
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &obj) != nil {
		return nil, badField(field, "%s must be a JSON object", field)
	}
	return obj, nil
}

// unknownField returns the 400 for the first member of obj (in sorted
// order, so the answer is stable) that is not in allowed. inferred: the
// real API's handling of unknown fields is not documented; a strict answer
// shows an integrator's typo at once.
func unknownField(obj map[string]json.RawMessage, prefix string, allowed ...string) *apiError {
	ok := map[string]bool{}
	for _, a := range allowed {
		ok[a] = true
	}
	var unknown []string
	for k := range obj {
		if !ok[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	name := prefix + clip(unknown[0])
	return badField(name, "unknown field %q: this route takes %s", name, joinQuoted(allowed))
}

func joinQuoted(names []string) string {
	var b bytes.Buffer
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(n))
	}
	return b.String()
}
