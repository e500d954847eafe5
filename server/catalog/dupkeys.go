package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// checkDuplicateKeys reports the first JSON object key that appears twice
// in the same object. encoding/json silently keeps the last of duplicate
// keys, which would hide a content editor's copy-paste slip (a second
// "name" overriding the first).
func checkDuplicateKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var walk func(path string) error
	walk = func(path string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ := kt.(string) // object keys are always strings
				if seen[k] {
					return fmt.Errorf("%s: key %q appears twice", path, k)
				}
				seen[k] = true
				if err := walk(path + "." + k); err != nil {
					return err
				}
			}
			_, err = dec.Token() // '}'
			return err
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if err := walk(fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
			_, err = dec.Token() // ']'
			return err
		}
		return nil
	}
	if err := walk("$"); err != nil && err != io.EOF {
		return err
	}
	return nil
}
