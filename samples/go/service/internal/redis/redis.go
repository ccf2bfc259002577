// Package redis is a tiny Redis client speaking RESP2 over one net.Conn: a command is an array of
// bulk strings, a reply is a simple string, an error, an integer, a bulk string or an array of them.
// The sample needs a handful of commands (PING, INCR, GET, SET); a real service would use go-redis.
package redis

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// Error is an error reply ("-ERR ...", "-WRONGTYPE ...").
type Error string

func (e Error) Error() string { return "redis: " + string(e) }

// Nil is returned for a null bulk string (GET of a missing key).
var Nil = errors.New("redis: nil")

// Client dials Address for each command: nothing to reconnect after a restart of the cache.
type Client struct {
	Address string
}

// Do sends one command and returns its reply: string, int64, []any, or an error (Error, Nil).
func (c Client) Do(ctx context.Context, arguments ...string) (any, error) {
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", c.Address)
	if err != nil {
		return nil, fmt.Errorf("redis: connect %s: %w", c.Address, err)
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	} else {
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	}
	return roundTrip(conn, arguments)
}

func roundTrip(conn io.ReadWriter, arguments []string) (any, error) {
	if _, err := conn.Write(Encode(arguments...)); err != nil {
		return nil, fmt.Errorf("redis: send: %w", err)
	}
	return readReply(bufio.NewReader(conn))
}

// Encode writes a command as RESP: *<count>, then $<length> and the bytes of each argument.
func Encode(arguments ...string) []byte {
	var out strings.Builder
	fmt.Fprintf(&out, "*%d\r\n", len(arguments))
	for _, argument := range arguments {
		fmt.Fprintf(&out, "$%d\r\n%s\r\n", len(argument), argument)
	}
	return []byte(out.String())
}

func readReply(reader *bufio.Reader) (any, error) {
	line, err := reader.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("redis: receive: %w", err)
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return nil, errors.New("redis: empty reply")
	}
	kind, rest := line[0], line[1:]
	switch kind {
	case '+':
		return rest, nil
	case '-':
		return nil, Error(rest)
	case ':':
		return strconv.ParseInt(rest, 10, 64)
	case '$':
		length, err := strconv.Atoi(rest)
		if err != nil {
			return nil, fmt.Errorf("redis: bad bulk length %q", rest)
		}
		if length < 0 {
			return nil, Nil
		}
		data := make([]byte, length+2)
		if _, err := io.ReadFull(reader, data); err != nil {
			return nil, fmt.Errorf("redis: receive: %w", err)
		}
		return string(data[:length]), nil
	case '*':
		count, err := strconv.Atoi(rest)
		if err != nil {
			return nil, fmt.Errorf("redis: bad array length %q", rest)
		}
		if count < 0 {
			return nil, Nil
		}
		items := make([]any, count)
		for i := range items {
			if items[i], err = readReply(reader); err != nil && !errors.Is(err, Nil) {
				return nil, err
			}
		}
		return items, nil
	}
	return nil, fmt.Errorf("redis: unknown reply type %q", kind)
}

// Ping is PING; nil when the server answers PONG.
func (c Client) Ping(ctx context.Context) error {
	reply, err := c.Do(ctx, "PING")
	if err != nil {
		return err
	}
	if reply != "PONG" {
		return fmt.Errorf("redis: PING answered %v", reply)
	}
	return nil
}

// Incr is INCR key: the new value.
func (c Client) Incr(ctx context.Context, key string) (int64, error) {
	reply, err := c.Do(ctx, "INCR", key)
	if err != nil {
		return 0, err
	}
	value, ok := reply.(int64)
	if !ok {
		return 0, fmt.Errorf("redis: INCR answered %v", reply)
	}
	return value, nil
}
