package postgres

import (
	"encoding/binary"
	"errors"
	"testing"
)

// RFC 7677, section 3: the SCRAM-SHA-256 exchange for user "user" and password "pencil".
func TestScramMatchesTheRFC7677Example(t *testing.T) {
	client := newScramClient("user", "pencil", "rOprNGfwEbeRWgbNEkqO")
	if first := client.clientFirst(); first != "n,,n=user,r=rOprNGfwEbeRWgbNEkqO" {
		t.Fatalf("client-first = %q", first)
	}
	final, err := client.clientFinal("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
	if err != nil {
		t.Fatal(err)
	}
	want := "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
	if final != want {
		t.Fatalf("client-final = %q, want %q", final, want)
	}
	if err := client.verifyServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="); err != nil {
		t.Fatal(err)
	}
	if err := client.verifyServerFinal("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="); err == nil {
		t.Fatal("a wrong server signature was accepted")
	}
}

func TestScramRefusesANonceTheServerDidNotExtend(t *testing.T) {
	client := newScramClient("", "pencil", "abc")
	client.clientFirst()
	if _, err := client.clientFinal("r=xyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"); err == nil {
		t.Fatal("a foreign nonce was accepted")
	}
}

func TestMD5PasswordIsPostgresFormat(t *testing.T) {
	// md5(md5("secret" + "app") + salt), computed with PostgreSQL's own formula.
	got := md5Password("app", "secret", []byte{1, 2, 3, 4})
	if len(got) != 35 || got[:3] != "md5" {
		t.Fatalf("md5Password = %q", got)
	}
	if got == md5Password("app", "secret", []byte{1, 2, 3, 5}) {
		t.Fatal("the salt is ignored")
	}
}

func TestMessageFramesTypeLengthAndBody(t *testing.T) {
	got := message('Q', []byte("x\x00"))
	if got[0] != 'Q' || binary.BigEndian.Uint32(got[1:5]) != 6 || string(got[5:]) != "x\x00" {
		t.Fatalf("message = %v", got)
	}
}

func TestParseDataRowKeepsNulls(t *testing.T) {
	var payload []byte
	payload = binary.BigEndian.AppendUint16(payload, 2)
	payload = binary.BigEndian.AppendUint32(payload, 2)
	payload = append(payload, "42"...)
	payload = binary.BigEndian.AppendUint32(payload, 0xFFFFFFFF) // -1: NULL
	row, err := parseDataRow(payload)
	if err != nil {
		t.Fatal(err)
	}
	if row[0] != (Value{Text: "42"}) || !row[1].Null {
		t.Fatalf("row = %#v", row)
	}
	if _, err := parseDataRow(payload[:7]); err == nil {
		t.Fatal("a truncated row was accepted")
	}
}

func TestParseErrorReadsSeverityCodeAndMessage(t *testing.T) {
	err := parseError([]byte("SERROR\x00C42P01\x00Mrelation \"app.items\" does not exist\x00\x00"))
	var failure *Error
	if !errors.As(err, &failure) || failure.Code != "42P01" || failure.Severity != "ERROR" {
		t.Fatalf("parseError = %#v", err)
	}
}

func TestParseRowDescriptionReadsTheColumnNames(t *testing.T) {
	var payload []byte
	payload = binary.BigEndian.AppendUint16(payload, 2)
	for _, name := range []string{"id", "name"} {
		payload = append(payload, name...)
		payload = append(payload, 0)
		payload = append(payload, make([]byte, 18)...)
	}
	if got := parseRowDescription(payload); len(got) != 2 || got[0] != "id" || got[1] != "name" {
		t.Fatalf("columns = %v", got)
	}
}
