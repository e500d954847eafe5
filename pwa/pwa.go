// Package pwa embeds the resident-facing front end: page templates, the
// JavaScript modules and the service worker.
package pwa

import "embed"

// Templates holds layout.html, partials/*.html and pages/*.html.
//
//go:embed templates
var Templates embed.FS

// Static holds the JavaScript modules served under /s/<version>/js/.
//
//go:embed js/*.js
var Static embed.FS

// ServiceWorker is served at /sw.js.
//
//go:embed sw.js
var ServiceWorker string
