package workflows

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"partnerops/rules"
)

// strictUnmarshal decodes one JSON value, refusing unknown fields and
// trailing data.
func strictUnmarshal(data []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// decodeProblems names the field strictUnmarshal refused, in the API's
// words: the API checks an action's input against its type before the
// update is sent, so this is the last line, not the usual answer.
func decodeProblems(err error) rules.FieldErrors {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return rules.FieldErrors{{Field: typeErr.Field, Message: "is not a value this field takes"}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return rules.FieldErrors{{Field: name, Message: "is not a field of this action's input"}}
	}
	return rules.FieldErrors{{Field: "body", Message: "must be a JSON object with the action's fields"}}
}
