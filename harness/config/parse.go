package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// FieldError is one configuration problem. Load reports every problem at
// once, as errors.Join of *FieldError; find them with errors.As or by
// unwrapping the joined error.
type FieldError struct {
	// Variable is the environment variable at fault, e.g. WINSTON_TIMEOUT.
	Variable string
	// Source says where the value came from when it was not the
	// environment, e.g. "file /repo/winston.yaml, key timeout"; "" for
	// the environment or for a missing value.
	Source string
	// Value is the offending value, redacted: "" when the value is
	// missing, "(set)" for a key.
	Value string
	// Problem says what is wrong.
	Problem string
	// Fix says what to do about it.
	Fix string
}

// Error reads like `WINSTON_TIMEOUT="abc": is not a Go duration; fix: ...`.
func (e *FieldError) Error() string {
	where := e.Variable
	if e.Source != "" {
		where += " (from " + e.Source + ")"
	}
	if e.Value != "" {
		where += "=" + strconv.Quote(e.Value)
	}
	return fmt.Sprintf("%s: %s; fix: %s", where, e.Problem, e.Fix)
}

// Bounds of the numeric settings: outside them a value is a typo, not a
// choice.
const (
	minTimeout     = 100 * time.Millisecond
	maxTimeout     = 10 * time.Minute
	maxRetries     = 10
	maxConcurrency = 64
)

func (l *loader) loadNumbers(c *Config) {
	c.Timeout, _ = time.ParseDuration(DefaultTimeout)
	c.MaxRPS = DefaultMaxRPS
	c.Retries = DefaultRetries
	c.Concurrency = DefaultConcurrency
	c.MaxBody = DefaultMaxBody

	if v, src, ok := l.get(EnvNow); ok {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			l.fail(EnvNow, src, v, "is not an RFC 3339 time", "write it like 2026-11-21T12:00:00Z, or unset it")
		} else {
			c.Now = t.UTC()
		}
	}
	if v, src, ok := l.get(EnvTimeout); ok {
		d, err := time.ParseDuration(v)
		switch {
		case err != nil:
			l.fail(EnvTimeout, src, v, "is not a Go duration", "write it like 15s, 500ms or 1m30s")
		case d <= 0 || d > maxTimeout:
			l.fail(EnvTimeout, src, v, "is out of range", "use a duration above 0 and at most 10m")
		case d < minTimeout:
			// Every request would time out, and the run would read as
			// an outage of the target rather than as this setting.
			l.fail(EnvTimeout, src, v, "is shorter than 100ms: too short for a TLS handshake and an answer, so every request would time out and the run would look like an outage",
				"use 15s (the default), or at least 1s")
		default:
			c.Timeout = d
		}
	}
	if v, src, ok := l.get(EnvMaxRPS); ok {
		f, err := strconv.ParseFloat(v, 64)
		switch {
		case err != nil || math.IsNaN(f) || math.IsInf(f, 0):
			l.fail(EnvMaxRPS, src, v, "is not a number", "write requests per second like 10 or 2.5 (0 for no cap)")
		case f < 0:
			l.fail(EnvMaxRPS, src, v, "is negative", "use 0 for no cap, or a positive rate like 10")
		default:
			c.MaxRPS = f
		}
	}
	l.intSetting(EnvRetries, 0, maxRetries, &c.Retries)
	l.intSetting(EnvConcurrency, 1, maxConcurrency, &c.Concurrency)
	if v, src, ok := l.get(EnvMaxBody); ok {
		n, err := parseBytes(v)
		switch {
		case err != nil:
			l.fail(EnvMaxBody, src, v, "is not a size", "write bytes like 16777216, or with a suffix like 16MiB or 512KiB")
		case n <= 0:
			l.fail(EnvMaxBody, src, v, "is not positive", "use a size of at least 1 byte, e.g. 16MiB")
		default:
			c.MaxBody = n
		}
	}
}

func (l *loader) intSetting(name string, lo, hi int, dst *int) {
	v, src, ok := l.get(name)
	if !ok {
		return
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil:
		l.fail(name, src, v, "is not a whole number", fmt.Sprintf("write a number from %d to %d", lo, hi))
	case n < lo || n > hi:
		l.fail(name, src, v, "is out of range", fmt.Sprintf("use a number from %d to %d", lo, hi))
	default:
		*dst = n
	}
}

// parseBytes reads a size in bytes, with an optional KiB, MiB or GiB
// suffix (KB, MB and GB are taken as the same powers of two).
func parseBytes(v string) (int64, error) {
	s := strings.ToUpper(strings.ReplaceAll(v, " ", ""))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parse size %q: %w", v, err)
	}
	if n > math.MaxInt64/mult {
		return 0, fmt.Errorf("size %q is too large", v)
	}
	return n * mult, nil
}
