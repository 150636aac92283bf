package schema

import (
	"reflect"
	"testing"

	"github.com/xeipuuv/gojsonschema"

	"github.com/winston-conformance/winston-conformance/schemas"
)

// TestCompileFromTheDecodedFileJudgesAsTheBytesLoader holds compile,
// which hands gojsonschema the value it decoded, to what gojsonschema's
// own byte loader gives: for every embedded schema, the same errors on a
// valid sample and on samples broken in several ways.
func TestCompileFromTheDecodedFileJudgesAsTheBytesLoader(t *testing.T) {
	names, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names.Names() {
		data, err := schemas.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		ours, _, err := compile(name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		loader := gojsonschema.NewSchemaLoader()
		loader.Draft = gojsonschema.Draft7
		loader.AutoDetect = true
		theirs, err := loader.Compile(gojsonschema.NewBytesLoader(data))
		if err != nil {
			t.Fatalf("%s through the byte loader: %v", name, err)
		}
		valid := encode(t, sample(t, name))
		for _, body := range [][]byte{valid, []byte(`{}`), []byte(`[]`), []byte(`[{"_id":1,"total":"x"}]`), []byte(`{"data":[1.5,null]}`), []byte(`"s"`)} {
			got, err1 := ours.Validate(gojsonschema.NewBytesLoader(body))
			want, err2 := theirs.Validate(gojsonschema.NewBytesLoader(body))
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: %v / %v", name, err1, err2)
			}
			if g, w := convert(got.Errors(), nil), convert(want.Errors(), nil); !reflect.DeepEqual(g, w) {
				t.Errorf("%s on %.60s: errors differ:\n%v\n%v", name, body, g, w)
			}
		}
	}
}
