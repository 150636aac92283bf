package catalogue

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var refPattern = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)(?:([+-])([0-9]+)([smhd]))?\}`)

// Resolve returns a copy of the catalogue in which every ${...} reference in
// endpoint requests and fixtures is replaced: ${now-36h} by the reference
// time moved by that offset (RFC 3339, UTC), ${name} by the fixture of that
// name. A string that is exactly one reference to a number fixture becomes
// that number. An unknown reference is an error naming it.
func (c *Catalogue) Resolve(now time.Time) (*Catalogue, error) {
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("resolve catalogue: %w", err)
	}
	var out Catalogue
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("resolve catalogue: %w", err)
	}
	out.Fixtures = c.Fixtures
	fx, err := fixtureValues(&out.Fixtures)
	if err != nil {
		return nil, err
	}
	// Fixtures may refer to now only; resolve them first so requests can
	// refer to resolved fixtures.
	for name, v := range fx {
		s, ok := v.(string)
		if !ok {
			continue
		}
		r, err := resolveString(s, now, nil)
		if err != nil {
			return nil, fmt.Errorf("fixture %s: %w", name, err)
		}
		fx[name] = r
	}
	if err := setFixtures(&out.Fixtures, fx); err != nil {
		return nil, err
	}
	for i := range out.Endpoints {
		v, err := resolveValue(out.Endpoints[i].Request, now, fx)
		if err != nil {
			return nil, fmt.Errorf("endpoint %s request: %w", out.Endpoints[i].ID, err)
		}
		m, _ := v.(map[string]any)
		out.Endpoints[i].Request = m
		if out.Endpoints[i].Large != nil {
			v, err := resolveValue(out.Endpoints[i].Large, now, fx)
			if err != nil {
				return nil, fmt.Errorf("endpoint %s large: %w", out.Endpoints[i].ID, err)
			}
			m, _ := v.(map[string]any)
			out.Endpoints[i].Large = m
		}
	}
	return &out, nil
}

func fixtureValues(f *Fixtures) (map[string]any, error) {
	raw, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("fixtures: %w", err)
	}
	m := map[string]any{}
	d := json.NewDecoder(strings.NewReader(string(raw)))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("fixtures: %w", err)
	}
	return m, nil
}

func setFixtures(f *Fixtures, m map[string]any) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("fixtures: %w", err)
	}
	if err := json.Unmarshal(raw, f); err != nil {
		return fmt.Errorf("fixtures: %w", err)
	}
	return nil
}

func resolveValue(v any, now time.Time, fx map[string]any) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			r, err := resolveValue(x, now, fx)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			r, err := resolveValue(x, now, fx)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case string:
		if m := refPattern.FindStringSubmatch(t); m != nil && m[0] == t && m[1] != "now" {
			if n, ok := fx[m[1]].(json.Number); ok && n.String() == "0" {
				// A number fixture left out of a copy reads as 0: sent,
				// it would earn a refusal read as a broken contract.
				return nil, fmt.Errorf("reference %s: fixtures.%s is 0 (or missing): set it in the catalogue's fixtures to a value of your environment", t, m[1])
			}
			if n, ok := fx[m[1]].(json.Number); ok {
				if i, err := n.Int64(); err == nil {
					return i, nil
				}
				f, _ := n.Float64()
				return f, nil
			}
		}
		return resolveString(t, now, fx)
	default:
		return v, nil
	}
}

func resolveString(s string, now time.Time, fx map[string]any) (string, error) {
	var firstErr error
	out := refPattern.ReplaceAllStringFunc(s, func(ref string) string {
		m := refPattern.FindStringSubmatch(ref)
		name, sign, amount, unit := m[1], m[2], m[3], m[4]
		if name == "now" {
			t := now.UTC()
			if sign != "" {
				n, _ := strconv.Atoi(amount)
				d := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[unit] * time.Duration(n)
				if sign == "-" {
					d = -d
				}
				t = t.Add(d)
			}
			return t.Format(time.RFC3339)
		}
		if sign != "" {
			if firstErr == nil {
				firstErr = fmt.Errorf("reference %s: only ${now} takes an offset", ref)
			}
			return ref
		}
		v, ok := fx[name]
		if !ok {
			if firstErr == nil {
				firstErr = fmt.Errorf("reference %s names no fixture (known: now and the keys under fixtures)", ref)
			}
			return ref
		}
		if v == "" && firstErr == nil {
			// Sent empty, it would earn a 400 read as a broken contract.
			firstErr = fmt.Errorf("reference %s: fixtures.%s is empty (or missing): set it in the catalogue's fixtures to a value of your environment", ref, name)
		}
		return fmt.Sprint(v)
	})
	return out, firstErr
}

// fixtureUses names, for each fixture a check reads itself (not through a
// ${} reference, which Resolve checks), the requirements that read it.
var fixtureUses = []struct {
	name  string
	empty func(Fixtures) bool
	ids   []string
}{
	{"wrongKey", func(f Fixtures) bool { return f.WrongKey == "" }, []string{"AUTH-006", "AUTH-008"}},
	{"wrongApp", func(f Fixtures) bool { return f.WrongApp == "" }, []string{"AUTH-005", "AUTH-008"}},
	{"unknownPlanId", func(f Fixtures) bool { return f.UnknownPlanID == "" }, []string{"ERR-005"}},
	{"tableNumber", func(f Fixtures) bool { return f.TableNumber == 0 }, []string{"ERR-005"}},
	{"businessDay", func(f Fixtures) bool { return f.BusinessDay == "" }, []string{"BILL-003", "BILL-004"}},
	{"modifiedSince", func(f Fixtures) bool { return f.ModifiedSince == "" }, []string{"BILL-004"}},
	{"tooOldModifiedSince", func(f Fixtures) bool { return f.TooOldModifiedSince == "" }, []string{"BILL-002"}},
	{"wideModifiedAtFrom", func(f Fixtures) bool { return f.WideModifiedAtFrom == "" }, []string{"BILL-002"}},
	{"wideModifiedAtTo", func(f Fixtures) bool { return f.WideModifiedAtTo == "" }, []string{"BILL-002"}},
}

// CheckFixtures refuses, before any request, a fixture that a request or a
// requirement of the catalogue uses and that is empty or 0 (its line left
// out of a copy of the catalogue): sent so, it would earn a refusal, or a
// request no check could make, read as a broken contract. now is any
// reference time (the check is of the values, not of the time).
func (c *Catalogue) CheckFixtures(now time.Time) error {
	if _, err := c.Resolve(now); err != nil {
		return err
	}
	var problems []string
	for _, u := range fixtureUses {
		if !u.empty(c.Fixtures) {
			continue
		}
		var users []string
		for _, id := range u.ids {
			if c.Requirement(id) != nil {
				users = append(users, id)
			}
		}
		if len(users) > 0 {
			problems = append(problems, fmt.Sprintf("fixtures.%s is empty (or missing), and %s read it: set it in the catalogue's fixtures (see harness/catalogue/catalogue.yaml), or remove those requirements", u.name, strings.Join(users, ", ")))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}
