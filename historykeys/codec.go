package historykeys

import (
	"fmt"
	"net/http"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

const (
	// encodingEncrypted marks an encrypted payload (metadata "encoding").
	encodingEncrypted = "binary/encrypted"
	// metadataKeyID names the data key a payload is sealed under.
	metadataKeyID = "encryption-key-id"
)

// Codec is the payload codec: it seals each payload (data and metadata)
// with AES-GCM under the data key of the workflow the SDK serializes for
// (its serialization context), and opens sealed payloads by the key ID
// they carry. Payloads it did not seal (histories recorded before it)
// pass through as they are.
type Codec struct {
	keys       *Keyring
	workflowID string
}

var _ converter.PayloadCodecWithSerializationContext = (*Codec)(nil)

// WithSerializationContext is the codec for the payloads of one workflow
// (its own, and its activities').
func (c *Codec) WithSerializationContext(sc converter.SerializationContext) converter.PayloadCodec {
	switch sc := sc.(type) {
	case converter.WorkflowSerializationContext:
		return &Codec{keys: c.keys, workflowID: sc.WorkflowID}
	case converter.ActivitySerializationContext:
		return &Codec{keys: c.keys, workflowID: sc.WorkflowID}
	}
	return c
}

// Encode seals the payloads.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	if len(payloads) == 0 {
		return payloads, nil
	}
	id, aead, err := c.keys.encryptionKey(c.workflowID)
	if err != nil {
		return nil, err
	}
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, err
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{converter.MetadataEncoding: []byte(encodingEncrypted), metadataKeyID: []byte(id)},
			Data:     seal(aead, []byte(id), plain),
		}
	}
	return out, nil
}

// Decode opens the sealed payloads; the others pass through. A payload
// whose data key was destroyed is ErrShredded.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != encodingEncrypted {
			out[i] = p
			continue
		}
		id := string(p.GetMetadata()[metadataKeyID])
		aead, err := c.keys.decryptionKey(c.workflowID, id)
		if err != nil {
			return nil, err
		}
		plain, err := open(aead, []byte(id), p.GetData())
		if err != nil {
			return nil, fmt.Errorf("open a payload sealed under %s: %w", id, err)
		}
		out[i] = &commonpb.Payload{}
		if err := proto.Unmarshal(plain, out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DataConverter is the data converter of every Temporal client and worker
// of partnerops: the SDK's default JSON conversion, then the codec.
func (k *Keyring) DataConverter() converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), &Codec{keys: k})
}

// HTTPHandler serves the Temporal Web UI's codec protocol (POST
// /codec/encode and /codec/decode, under the prefix it is mounted at):
// payloads it encodes go under the system key.
func (k *Keyring) HTTPHandler() http.Handler {
	return converter.NewPayloadCodecHTTPHandler(&Codec{keys: k})
}
