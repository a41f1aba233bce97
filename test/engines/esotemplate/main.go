// Command esotemplate renders ExternalSecret template data the way the External Secrets
// Operator's template engine v2 does, so that tests can run the templates this project emits
// through the real Go text/template and Sprig instead of a re-implementation.
//
// Modelled on external-secrets runtime/template/v2/template.go (v2.3.0 to v2.9.0; read at
// commit cc5bfbc2234a, August 2026):
//   - the function map is Sprig's TxtFuncMap without env, expandenv and getHostByName (ESO
//     vendors Sprig v3.3.1-0.20241028115027-8cb06fe3c8b0 under runtime/template/v2/sprig since
//     v2.3.0 and drops those three; earlier releases imported Masterminds/sprig/v3 and deleted
//     env and expandenv), plus ESO's own functions (pkcs12*, pem*, jwk*, filterPEM, toYaml, ...);
//   - each template value is parsed on its own with Option("missingkey=error") and the default
//     "{{ }}" delimiters, then executed over a map[string]string of the fetched secret data.
//
// Here Sprig is Debian's golang-github-masterminds-sprig-dev (3.2.3); the functions the emitted
// templates use (replace, regexMatch, fail; urlquery is text/template's) have the same code in
// ESO's vendored copy (runtime/template/v2/sprig strings.go, regex.go, functions.go). ESO's own
// functions cannot be built here; they are registered under their names so that a template parses
// as it would in ESO, and fail if called (the templates under test must not need them).
//
// Input (stdin, JSON): {"templates": {key: template}, "cases": [{key: value}, ...]}.
// Output (stdout, JSON): one entry per case, {"data": {key: rendered}} or {"error": message};
// an error is what ESO would put in the ExternalSecret's status (the Secret is not written).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"text/template"

	"github.com/Masterminds/sprig/v3"
)

var esoOwn = []string{
	"pkcs12key", "pkcs12keyPass", "pkcs12cert", "pkcs12certPass",
	"pemToPkcs12", "pemToPkcs12Pass", "fullPemToPkcs12", "fullPemToPkcs12Pass",
	"pemTruststoreToPKCS12", "pemTruststoreToPKCS12Pass",
	"filterPEM", "filterCertChain", "certSANs",
	"jwkPublicKeyPem", "jwkPrivateKeyPem",
	"toYaml", "fromYaml", "rsaDecrypt",
}

func funcMap() template.FuncMap {
	funcs := template.FuncMap{}
	for _, name := range esoOwn {
		name := name
		funcs[name] = func(...interface{}) (string, error) {
			return "", fmt.Errorf("%s: ESO's own function is not modelled here", name)
		}
	}
	for k, v := range sprig.TxtFuncMap() {
		funcs[k] = v
	}
	delete(funcs, "env")
	delete(funcs, "expandenv")
	delete(funcs, "getHostByName")
	return funcs
}

type result struct {
	Data  map[string]string `json:"data,omitempty"`
	Error string            `json:"error,omitempty"`
}

func render(funcs template.FuncMap, templates, data map[string]string) result {
	keys := make([]string, 0, len(templates))
	for k := range templates {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := map[string]string{}
	for _, k := range keys {
		t, err := template.New(k).Option("missingkey=error").Funcs(funcs).Delims("{{", "}}").Parse(templates[k])
		if err != nil {
			return result{Error: fmt.Sprintf("unable to parse template at key %s: %s", k, err)}
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, data); err != nil {
			return result{Error: fmt.Sprintf("unable to execute template at key %s: %s", k, err)}
		}
		out[k] = buf.String()
	}
	return result{Data: out}
}

func main() {
	var in struct {
		Templates map[string]string   `json:"templates"`
		Cases     []map[string]string `json:"cases"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "esotemplate: reading stdin:", err)
		os.Exit(2)
	}
	funcs := funcMap()
	results := make([]result, len(in.Cases))
	for i, data := range in.Cases {
		results[i] = render(funcs, in.Templates, data)
	}
	if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "esotemplate: writing stdout:", err)
		os.Exit(2)
	}
}
