// Package prompts holds the words the interviewer speaks and, later, the
// instructions given to a language model, as versioned text/template files
// embedded in the binary. Keeping them here, out of the code, lets them be
// reviewed and tested as text.
package prompts

import (
	"embed"
	"fmt"
	"strings"
	"text/template"
)

//go:embed *.tmpl
var files embed.FS

var templates = template.Must(template.New("").Option("missingkey=error").ParseFS(files, "*.tmpl"))

// Render executes the named template with data and trims surrounding white
// space. It panics on an unknown name, which is a programming error caught by
// the tests.
func Render(name string, data any) string {
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, name, data); err != nil {
		panic(fmt.Sprintf("prompts: render %s: %v", name, err))
	}
	return strings.TrimSpace(b.String())
}
