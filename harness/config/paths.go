package config

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// fileValue is one setting read from the WINSTON_CONFIG file.
type fileValue struct {
	value, key string
}

// FindRepoRoot walks up from start to the nearest directory holding
// go.mod: the checkout the suite is built from and runs in (a fork under
// another module path included). It fails when there is none.
func FindRepoRoot(start string) (string, error) {
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", fmt.Errorf("find the repository root from %s: %w", start, err)
	}
	for {
		if st, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !st.IsDir() {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod in %s or above it: run from inside the repository checkout", start)
		}
		dir = parent
	}
}

// repoRoot is FindRepoRoot of wd, or wd itself when there is no go.mod
// above it, so that defaults stay next to where the suite runs.
func repoRoot(wd string) string {
	if root, err := FindRepoRoot(wd); err == nil {
		return root
	}
	return wd
}

// resolve makes a user's path absolute, relative to the repository root:
// scripts run make from the root while the suite's working directory is
// suites/, and a path must mean the same for both.
func (l *loader) resolve(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(l.root, p)
}

// readFile loads WINSTON_CONFIG, whose keys are the variables' FileKey
// names. The API keys may not be in it: a key in a file ends up in backups
// and commits.
func (l *loader) readFile() {
	v, ok := l.getEnv(EnvConfig)
	if !ok {
		return
	}
	l.cfgFile = l.resolve(v)
	data, err := os.ReadFile(l.cfgFile) // #nosec G304 -- the user names their own configuration file
	if err != nil {
		l.fail(EnvConfig, "", v, "cannot be read: "+err.Error(), "point WINSTON_CONFIG at a readable YAML file, or unset it")
		return
	}
	var doc map[string]yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		// yaml.v3's text quotes the offending value, which may be a key
		// pasted into the file: only the line is reported.
		l.fail(EnvConfig, "", v, "is not a YAML mapping"+yamlLine(err),
			"write one setting per line, e.g. baseUrl: https://api-qa.mrwinston.com")
		return
	}
	known := fileKeys()
	names := make([]string, 0, len(doc))
	for k := range doc {
		names = append(names, k)
	}
	sort.Strings(names)
	l.file = map[string]fileValue{}
	for _, k := range names {
		node := doc[k]
		if isKeySetting(k) {
			if node.Kind == yaml.ScalarNode {
				redact.Global().Add(strings.TrimSpace(node.Value), KeyPlaceholder)
			}
			l.fail(EnvConfig, "", v, "holds "+k+": an API key in a file ends up in backups and commits",
				"remove "+k+" from the file and export WINSTON_API_KEY (and WINSTON_API_KEY_2) in the environment")
			continue
		}
		name, ok := known[k]
		if !ok {
			guardRefused(k) // the key is named in the problem
			l.fail(EnvConfig, "", v, "has the unknown key "+k, "use only these keys: "+strings.Join(sortedKeys(known), ", "))
			continue
		}
		if node.Kind != yaml.ScalarNode {
			l.fail(name, "file "+l.cfgFile+", key "+k, "", "must be a single value, not a list or mapping",
				"write it as "+k+": <value>")
			continue
		}
		l.file[name] = fileValue{value: node.Value, key: k}
	}
}

func isKeySetting(k string) bool {
	n := strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(k))
	switch n {
	case "apikey", "apikey2", "winstonapikey", "winstonapikey2", "key", "token":
		return true
	}
	return false
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// loadPaths reads the file and folder settings. Files the user names must
// exist now: a typo found after an hour of requests is an hour lost.
func (l *loader) loadPaths(c *Config) {
	if v, src, ok := l.get(EnvCAFile); ok {
		c.CAFile = l.resolve(v)
		if problem := caProblem(c.CAFile); problem != "" {
			l.fail(EnvCAFile, src, v, problem, "point WINSTON_CA_FILE at a PEM file of CA certificates, or unset it to trust the system roots only")
			c.CAFile = ""
		}
	}
	c.CassetteDir = filepath.Join(l.root, "cassettes")
	if v, src, ok := l.get(EnvCassetteCache); ok && !l.keyAsDir(EnvCassetteCache, src, v) {
		switch strings.ToLower(v) {
		case "off", "on":
			c.CassetteCache = strings.ToLower(v)
		case "false", "no", "none", "0", "disable", "disabled", "true", "yes", "1", "enable", "enabled":
			// Read as a relative path, these would make a directory of
			// that name in the repository.
			l.fail(EnvCassetteCache, src, v, "is not off, on or a directory",
				"set WINSTON_CASSETTE_CACHE=off to switch the parsed-cassette cache off, a directory to keep it there, or unset it")
		default:
			c.CassetteCache = l.resolve(v)
		}
	}
	cassetteValue, cassetteSrc, cassetteSet := l.get(EnvCassetteDir)
	if cassetteSet && l.keyAsDir(EnvCassetteDir, cassetteSrc, cassetteValue) {
		cassetteSet, cassetteValue = false, ""
	}
	if cassetteSet {
		c.CassetteDir = l.resolve(cassetteValue)
	}
	if st, err := os.Stat(c.CassetteDir); err == nil && !st.IsDir() {
		problem := "is not a directory: " + c.CassetteDir + " is a file"
		if !cassetteSet {
			problem = "is unset, and the default cassette directory " + c.CassetteDir + " is a file"
		}
		l.fail(EnvCassetteDir, cassetteSrc, cassetteValue, problem,
			"point WINSTON_CASSETTE_DIR at the folder of cassettes (cassettes/ in the repository), or unset it")
	}
	if v, src, ok := l.get(EnvReportDir); ok && !l.keyAsDir(EnvReportDir, src, v) {
		c.ReportDir = l.resolve(v)
		if problem := reportDirProblem(c.ReportDir); problem != "" {
			l.fail(EnvReportDir, src, v, problem, "point WINSTON_REPORT_DIR at a directory you can write (it is created if missing), or unset it for reports/<time>-<mode>")
			// The report of this configuration error goes where it
			// harms nothing.
			c.ReportDir = filepath.Join(l.root, "reports", "config-error")
		}
	} else {
		c.ReportDir = newReportDir(filepath.Join(l.root, "reports"), l.clock().UTC().Format("20060102-150405")+"-"+string(c.Mode))
		if problem := reportDirProblem(c.ReportDir); problem != "" {
			l.fail(EnvReportDir, "", "", "is unset, and the default report directory "+c.ReportDir+" "+problem,
				"move that file out of the way, or set WINSTON_REPORT_DIR to a directory you can write (it is created if missing)")
		}
	}
	for _, f := range []struct {
		name string
		dst  *string
		dir  bool
	}{
		{EnvCatalogue, &c.Catalogue, false},
		{EnvKnownIssues, &c.KnownIssues, false},
		{EnvProfile, &c.Profile, false},
		{EnvHistoryDir, &c.HistoryDir, true},
	} {
		v, src, ok := l.get(f.name)
		if !ok {
			continue
		}
		p := l.resolve(v)
		st, err := os.Stat(p)
		switch {
		case err != nil:
			l.fail(f.name, src, v, "cannot be read: "+err.Error(), fmt.Sprintf("point %s at an existing %s, or unset it", f.name, kind(f.dir)))
		case st.IsDir() != f.dir:
			l.fail(f.name, src, v, "is not a "+kind(f.dir), fmt.Sprintf("point %s at a %s", f.name, kind(f.dir)))
		case f.name == EnvCatalogue && yamlEmpty(p):
			l.fail(f.name, src, v, "is empty: it holds no YAML, so it names no requirement",
				"point WINSTON_CATALOGUE at a copy of harness/catalogue/catalogue.yaml with your environment's fixtures, or unset it for the built-in catalogue")
		default:
			*f.dst = p
		}
	}
}

// keyAsDir refuses a directory setting whose value is shaped like a key
// and is no path (bareKey): a key pasted into the wrong variable
// would otherwise become a directory's name on disk, and reach every
// report that names the directory. The caller then keeps the default.
func (l *loader) keyAsDir(name, src, v string) bool {
	if !bareKey(v) {
		return false
	}
	l.fail(name, src, v, "looks like an API key, not a directory: a directory of that name would put the key on disk",
		"set "+name+" to a directory path, or unset it; keys go in WINSTON_API_KEY")
	return true
}

// yamlEmpty is true when the file at p holds no YAML document at all
// (nothing, or only blank lines and comments): yaml.v3 then says only
// "EOF". Any other problem is left to the file's own parser.
func yamlEmpty(p string) bool {
	data, err := os.ReadFile(p) // #nosec G304 -- the user names their own file
	if err != nil {
		return false
	}
	var doc yaml.Node
	return yaml.Unmarshal(data, &doc) == nil && doc.Kind == 0
}

func kind(dir bool) string {
	if dir {
		return "directory"
	}
	return "file"
}

func caProblem(path string) string {
	data, err := os.ReadFile(path) // #nosec G304 -- the user names their own CA file
	if err != nil {
		return "cannot be read: " + err.Error()
	}
	if !x509.NewCertPool().AppendCertsFromPEM(data) {
		return "contains no PEM certificate"
	}
	return ""
}

// newReportDir names a report directory that does not exist yet: runs never
// share or overwrite one, even when two start in the same second. Only a
// name that exists is skipped: any other answer from os.Stat (parent is a
// file, permission denied) would be the same for every suffix, so the name
// is returned as it is and reportDirProblem says what is wrong with it.
func newReportDir(parent, name string) string {
	p := filepath.Join(parent, name)
	for i := 2; ; i++ {
		if _, err := os.Stat(p); err != nil {
			return p
		}
		p = filepath.Join(parent, fmt.Sprintf("%s-%d", name, i))
	}
}

// LatestLink is the name of the link, beside the report folders under
// reports/, to the newest of them.
const LatestLink = "latest"

// reportDirProblem says why the report could not be written to dir, or "":
// found before any request, not after a whole run. A missing directory is
// fine when its nearest existing parent is a directory we can write in.
func reportDirProblem(dir string) string {
	if fi, err := os.Lstat(dir); err == nil && fi.Mode()&os.ModeSymlink != 0 && filepath.Base(dir) == LatestLink {
		// Written through, the newest run's folder would get this run's
		// report, and the link would be pointed at itself.
		return "is the link to the newest report, not a folder to write into"
	}
	at := dir
	for {
		st, err := os.Stat(at)
		if err == nil {
			if !st.IsDir() {
				if at == dir {
					return "is a file, not a directory"
				}
				return "cannot be created: " + at + " is a file"
			}
			break
		}
		parent := filepath.Dir(at)
		if parent == at {
			return "cannot be created: no existing parent directory"
		}
		at = parent
	}
	f, err := os.CreateTemp(at, ".winston-write-check-*")
	if err != nil {
		return "cannot be written: " + err.Error()
	}
	name := f.Name()
	_ = f.Close()
	_ = os.Remove(name)
	return ""
}

// GoCommand finds the go tool that builds the suite: on PATH (`go test`
// puts its own first), else in $GOROOT/bin.
func GoCommand() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	if root := os.Getenv("GOROOT"); root != "" {
		p := filepath.Join(root, "bin", "go")
		if st, err := os.Stat(p); err == nil && !st.IsDir() { // #nosec G703 -- the go tool under the GOROOT the user set
			return p, nil
		}
	}
	return "", errors.New("the go command is not on PATH, and GOROOT does not name one: install Go 1.26 or put its bin directory on PATH")
}

var yamlLinePattern = regexp.MustCompile(`line (\d+)`)

// yamlLine names the line of a YAML error as " (line N)", or "".
func yamlLine(err error) string {
	if m := yamlLinePattern.FindStringSubmatch(err.Error()); m != nil {
		return " (line " + m[1] + ")"
	}
	return ""
}
