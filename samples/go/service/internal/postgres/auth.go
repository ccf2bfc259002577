package postgres

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// md5Password is PostgreSQL's MD5 answer: "md5" + md5(md5(password + user) + salt).
func md5Password(user, password string, salt []byte) string {
	inner := md5.Sum([]byte(password + user))
	outer := md5.Sum(append([]byte(hex.EncodeToString(inner[:])), salt...))
	return "md5" + hex.EncodeToString(outer[:])
}

// scramClient runs SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding, as PostgreSQL does
// over a connection without TLS.
type scramClient struct {
	user, password, nonce string
	clientFirstBare       string
	authMessage           string
	saltedPassword        []byte
}

// newScramClient: user may be empty (PostgreSQL takes the user from the startup message); nonce empty
// means a random one (tests pass the RFC's).
func newScramClient(user, password, nonce string) *scramClient {
	if nonce == "" {
		random := make([]byte, 18)
		_, _ = rand.Read(random)
		nonce = base64.RawStdEncoding.EncodeToString(random)
	}
	return &scramClient{user: user, password: password, nonce: nonce}
}

func (s *scramClient) clientFirst() string {
	s.clientFirstBare = "n=" + s.user + ",r=" + s.nonce
	return "n,," + s.clientFirstBare
}

func (s *scramClient) clientFinal(serverFirst string) (string, error) {
	attributes := scramAttributes(serverFirst)
	serverNonce, salt64, iterations := attributes["r"], attributes["s"], attributes["i"]
	if !strings.HasPrefix(serverNonce, s.nonce) {
		return "", errors.New("postgres: SCRAM server nonce does not extend ours")
	}
	salt, err := base64.StdEncoding.DecodeString(salt64)
	if err != nil {
		return "", fmt.Errorf("postgres: SCRAM salt: %w", err)
	}
	count, err := strconv.Atoi(iterations)
	if err != nil || count < 1 {
		return "", fmt.Errorf("postgres: SCRAM iteration count %q", iterations)
	}
	s.saltedPassword, err = pbkdf2.Key(sha256.New, s.password, salt, count, sha256.Size)
	if err != nil {
		return "", fmt.Errorf("postgres: SCRAM: %w", err)
	}
	withoutProof := "c=biws,r=" + serverNonce // biws = base64("n,,"): no channel binding
	s.authMessage = s.clientFirstBare + "," + serverFirst + "," + withoutProof

	clientKey := hmacSHA256(s.saltedPassword, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	signature := hmacSHA256(storedKey[:], s.authMessage)
	proof := make([]byte, len(clientKey))
	for i := range clientKey {
		proof[i] = clientKey[i] ^ signature[i]
	}
	return withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof), nil
}

func (s *scramClient) verifyServerFinal(serverFinal string) error {
	attributes := scramAttributes(serverFinal)
	if message, failed := attributes["e"]; failed {
		return fmt.Errorf("postgres: SCRAM: %s", message)
	}
	serverKey := hmacSHA256(s.saltedPassword, "Server Key")
	expected := base64.StdEncoding.EncodeToString(hmacSHA256(serverKey, s.authMessage))
	if !hmac.Equal([]byte(attributes["v"]), []byte(expected)) {
		return errors.New("postgres: SCRAM server signature does not match: not the server we meant")
	}
	return nil
}

func scramAttributes(message string) map[string]string {
	attributes := map[string]string{}
	for _, part := range strings.Split(message, ",") {
		if key, value, ok := strings.Cut(part, "="); ok && len(key) == 1 {
			attributes[key] = value
		}
	}
	return attributes
}

func hmacSHA256(key []byte, text string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(text))
	return mac.Sum(nil)
}
