package redis

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestEncodeWritesAnArrayOfBulkStrings(t *testing.T) {
	got := string(Encode("SET", "key", "two words"))
	want := "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$9\r\ntwo words\r\n"
	if got != want {
		t.Fatalf("Encode = %q, want %q", got, want)
	}
}

func TestReadReplyDecodesEveryType(t *testing.T) {
	cases := []struct {
		wire string
		want any
	}{
		{"+PONG\r\n", "PONG"},
		{":42\r\n", int64(42)},
		{"$5\r\nhello\r\n", "hello"},
		{"$0\r\n\r\n", ""},
		{"*2\r\n$1\r\na\r\n:7\r\n", []any{"a", int64(7)}},
	}
	for _, c := range cases {
		got, err := readReply(bufio.NewReader(strings.NewReader(c.wire)))
		if err != nil {
			t.Fatalf("%q: %v", c.wire, err)
		}
		if want, ok := c.want.([]any); ok {
			items := got.([]any)
			if len(items) != len(want) || items[0] != want[0] || items[1] != want[1] {
				t.Fatalf("%q = %#v, want %#v", c.wire, got, want)
			}
			continue
		}
		if got != c.want {
			t.Fatalf("%q = %#v, want %#v", c.wire, got, c.want)
		}
	}
}

func TestErrorAndNilReplies(t *testing.T) {
	_, err := readReply(bufio.NewReader(strings.NewReader("-WRONGTYPE not a number\r\n")))
	var replyError Error
	if !errors.As(err, &replyError) || string(replyError) != "WRONGTYPE not a number" {
		t.Fatalf("error reply = %v", err)
	}
	if _, err := readReply(bufio.NewReader(strings.NewReader("$-1\r\n"))); !errors.Is(err, Nil) {
		t.Fatalf("null bulk = %v, want Nil", err)
	}
}

// fakeConn answers one canned reply and records what the client sent.
type fakeConn struct {
	sent  bytes.Buffer
	reply *strings.Reader
}

func (f *fakeConn) Write(p []byte) (int, error) { return f.sent.Write(p) }
func (f *fakeConn) Read(p []byte) (int, error)  { return f.reply.Read(p) }

func TestRoundTripSendsTheCommandAndReadsTheReply(t *testing.T) {
	conn := &fakeConn{reply: strings.NewReader(":3\r\n")}
	got, err := roundTrip(conn, []string{"INCR", "visits"})
	if err != nil || got != int64(3) {
		t.Fatalf("roundTrip = %v, %v", got, err)
	}
	if conn.sent.String() != "*2\r\n$4\r\nINCR\r\n$6\r\nvisits\r\n" {
		t.Fatalf("sent %q", conn.sent.String())
	}
}
