package eidtest

import "html/template"

// postForm is the HTTP-POST binding's page: a form the browser submits
// (by a script, or by the button without one).
var postForm = template.Must(template.New("post").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Local test IdP</title></head>
<body><p>Local test identification (not Suomi.fi).</p>
<form method="post" action="{{.URL}}" id="f">
<input type="hidden" name="SAMLResponse" value="{{.SAMLResponse}}">
<input type="hidden" name="RelayState" value="{{.RelayState}}">
<button type="submit" id="continue">Continue</button>
</form>
<script>document.getElementById('f').submit()</script>
</body></html>
`))
