package store

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestEveryBucketIsUsed: every bucket Open creates is read or written by
// the program (test files do not count). A bucket for a feature not built
// yet is added by the change that builds it.
func TestEveryBucketIsUsed(t *testing.T) {
	fset := token.NewFileSet()
	// The bucket constants: the names listed in allBuckets.
	own, err := parser.ParseFile(fset, "store.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	ast.Inspect(own, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok && len(vs.Names) == 1 && vs.Names[0].Name == "allBuckets" {
			for _, e := range vs.Values[0].(*ast.CompositeLit).Elts {
				names = append(names, e.(*ast.Ident).Name)
			}
			return false
		}
		return true
	})
	if len(names) != len(allBuckets) {
		t.Fatalf("found %d bucket names in store.go, allBuckets has %d", len(names), len(allBuckets))
	}

	uses := map[string]int{}
	root := filepath.Join("..", "..")
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		inStore := f.Name.Name == "store" && filepath.Base(filepath.Dir(path)) == "store"
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GenDecl:
				if inStore && n.Tok == token.CONST {
					return false // the declarations themselves
				}
			case *ast.ValueSpec:
				if inStore && len(n.Names) == 1 && n.Names[0].Name == "allBuckets" {
					return false
				}
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && x.Name == "store" && slices.Contains(names, n.Sel.Name) {
					uses[n.Sel.Name]++
				}
			case *ast.Ident:
				if inStore && slices.Contains(names, n.Name) {
					uses[n.Name]++
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if uses[n] == 0 {
			t.Errorf("bucket %s is created but nothing in the program uses it", n)
		}
	}
}
