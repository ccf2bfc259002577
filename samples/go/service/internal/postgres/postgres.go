// Package postgres is a minimal PostgreSQL client over the frontend/backend protocol (version 3), written
// against the standard library because the sample may not download a driver (no module proxy here).
//
// It does what the sample needs and no more: one connection, password authentication (SCRAM-SHA-256,
// MD5 or cleartext, whichever the server asks for; no TLS), and parameterised statements through the
// extended query protocol with every parameter and result in text format, so a value never has to be
// escaped into SQL. A real service would use pgx or lib/pq; the package's API is shaped so that
// swapping it for database/sql is a change to db.go alone.
package postgres

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// Config says where and as whom to connect.
type Config struct {
	Host     string
	Port     int
	Database string
	User     string
	Password string
}

// Value is one field of a result row, in PostgreSQL's text format.
type Value struct {
	Text string
	Null bool
}

// Result is what a statement returned: the column names, the rows and the command tag ("INSERT 0 1").
type Result struct {
	Columns []string
	Rows    [][]Value
	Tag     string
}

// Error is an ErrorResponse from the server: severity, SQLSTATE code and message.
type Error struct {
	Severity string
	Code     string
	Message  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("postgres: %s %s: %s", e.Severity, e.Code, e.Message)
}

// Conn is one open session. It is not safe for concurrent use.
type Conn struct {
	conn   net.Conn
	reader *bufio.Reader
}

const protocolVersion3 = 196608

// Connect opens a session and authenticates; the context bounds the whole handshake.
func Connect(ctx context.Context, config Config) (*Conn, error) {
	var dialer net.Dialer
	address := net.JoinHostPort(config.Host, strconv.Itoa(config.Port))
	netConn, err := dialer.DialContext(ctx, "tcp", address)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect %s: %w", address, err)
	}
	c := &Conn{conn: netConn, reader: bufio.NewReader(netConn)}
	c.applyDeadline(ctx)
	if err := c.startup(config); err != nil {
		netConn.Close()
		return nil, err
	}
	return c, nil
}

// Close ends the session politely (Terminate) and closes the socket.
func (c *Conn) Close() error {
	_ = c.conn.SetDeadline(time.Now().Add(time.Second))
	_, _ = c.conn.Write(message('X', nil))
	return c.conn.Close()
}

func (c *Conn) applyDeadline(ctx context.Context) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Time{}
	}
	_ = c.conn.SetDeadline(deadline)
}

func (c *Conn) startup(config Config) error {
	var body []byte
	body = binary.BigEndian.AppendUint32(body, protocolVersion3)
	for _, pair := range [][2]string{{"user", config.User}, {"database", config.Database}, {"application_name", "kit-go-sample"}} {
		body = appendCString(appendCString(body, pair[0]), pair[1])
	}
	body = append(body, 0)
	startup := binary.BigEndian.AppendUint32(nil, uint32(len(body)+4))
	if _, err := c.conn.Write(append(startup, body...)); err != nil {
		return fmt.Errorf("postgres: startup: %w", err)
	}

	var scram *scramClient
	for {
		kind, payload, err := c.receive()
		if err != nil {
			return err
		}
		switch kind {
		case 'R':
			if len(payload) < 4 {
				return errors.New("postgres: short authentication message")
			}
			method, data := binary.BigEndian.Uint32(payload), payload[4:]
			switch method {
			case 0: // AuthenticationOk
			case 3: // cleartext password
				err = c.send('p', appendCString(nil, config.Password))
			case 5: // MD5 with a 4-byte salt
				err = c.send('p', appendCString(nil, md5Password(config.User, config.Password, data)))
			case 10: // SASL: the server lists its mechanisms
				if !containsMechanism(data, "SCRAM-SHA-256") {
					return errors.New("postgres: the server offers no SCRAM-SHA-256")
				}
				scram = newScramClient("", config.Password, "")
				first := scram.clientFirst()
				out := appendCString(nil, "SCRAM-SHA-256")
				out = binary.BigEndian.AppendUint32(out, uint32(len(first)))
				err = c.send('p', append(out, first...))
			case 11: // SASL continue: the server-first message
				if scram == nil {
					return errors.New("postgres: SASL continue without a SASL start")
				}
				var final string
				if final, err = scram.clientFinal(string(data)); err == nil {
					err = c.send('p', []byte(final))
				}
			case 12: // SASL final: the server proves it knows the password too
				if scram == nil {
					return errors.New("postgres: SASL final without a SASL start")
				}
				err = scram.verifyServerFinal(string(data))
			default:
				return fmt.Errorf("postgres: unsupported authentication method %d", method)
			}
			if err != nil {
				return err
			}
		case 'E':
			return parseError(payload)
		case 'Z':
			return nil
		}
		// 'S' ParameterStatus, 'K' BackendKeyData and 'N' notices need nothing.
	}
}

// Exec runs one statement with text parameters ($1, $2, ...) and returns its rows.
func (c *Conn) Exec(ctx context.Context, sql string, parameters ...string) (*Result, error) {
	c.applyDeadline(ctx)

	parse := appendCString(appendCString(nil, ""), sql)
	parse = binary.BigEndian.AppendUint16(parse, 0) // let the server infer every parameter's type

	bind := appendCString(appendCString(nil, ""), "")
	bind = binary.BigEndian.AppendUint16(bind, 0) // all parameters in text format
	bind = binary.BigEndian.AppendUint16(bind, uint16(len(parameters)))
	for _, parameter := range parameters {
		bind = binary.BigEndian.AppendUint32(bind, uint32(len(parameter)))
		bind = append(bind, parameter...)
	}
	bind = binary.BigEndian.AppendUint16(bind, 0) // all results in text format

	var batch []byte
	batch = append(batch, message('P', parse)...)
	batch = append(batch, message('B', bind)...)
	batch = append(batch, message('D', appendCString([]byte{'P'}, ""))...)
	batch = append(batch, message('E', binary.BigEndian.AppendUint32(appendCString(nil, ""), 0))...)
	batch = append(batch, message('S', nil)...)
	if _, err := c.conn.Write(batch); err != nil {
		return nil, fmt.Errorf("postgres: send: %w", err)
	}

	result := &Result{}
	var failure error
	for {
		kind, payload, err := c.receive()
		if err != nil {
			return nil, err
		}
		switch kind {
		case 'T':
			result.Columns = parseRowDescription(payload)
		case 'D':
			row, err := parseDataRow(payload)
			if err != nil {
				return nil, err
			}
			result.Rows = append(result.Rows, row)
		case 'C':
			result.Tag = strings.TrimRight(string(payload), "\x00")
		case 'E':
			// The server skips to Sync after an error: keep reading until it is ready again.
			failure = parseError(payload)
		case 'Z':
			if failure != nil {
				return nil, failure
			}
			return result, nil
		}
		// '1' ParseComplete, '2' BindComplete, 'n' NoData, 'N' notices, 'S' parameter changes: nothing to do.
	}
}

func (c *Conn) send(kind byte, body []byte) error {
	if _, err := c.conn.Write(message(kind, body)); err != nil {
		return fmt.Errorf("postgres: send: %w", err)
	}
	return nil
}

// receive reads one backend message: its type byte and its body.
func (c *Conn) receive() (byte, []byte, error) {
	var header [5]byte
	if _, err := io.ReadFull(c.reader, header[:]); err != nil {
		return 0, nil, fmt.Errorf("postgres: receive: %w", err)
	}
	length := int(binary.BigEndian.Uint32(header[1:])) - 4
	if length < 0 || length > 64<<20 {
		return 0, nil, fmt.Errorf("postgres: implausible message length %d", length)
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(c.reader, body); err != nil {
		return 0, nil, fmt.Errorf("postgres: receive: %w", err)
	}
	return header[0], body, nil
}

// message frames a frontend message: type byte, length (itself included), body.
func message(kind byte, body []byte) []byte {
	out := []byte{kind}
	out = binary.BigEndian.AppendUint32(out, uint32(len(body)+4))
	return append(out, body...)
}

func appendCString(buffer []byte, text string) []byte { return append(append(buffer, text...), 0) }

func containsMechanism(list []byte, name string) bool {
	for _, mechanism := range strings.Split(string(list), "\x00") {
		if mechanism == name {
			return true
		}
	}
	return false
}

func parseError(payload []byte) error {
	failure := &Error{}
	for _, field := range strings.Split(string(payload), "\x00") {
		if field == "" {
			continue
		}
		switch field[0] {
		case 'S':
			failure.Severity = field[1:]
		case 'C':
			failure.Code = field[1:]
		case 'M':
			failure.Message = field[1:]
		}
	}
	return failure
}

func parseRowDescription(payload []byte) []string {
	if len(payload) < 2 {
		return nil
	}
	count := int(binary.BigEndian.Uint16(payload))
	columns := make([]string, 0, count)
	rest := payload[2:]
	for i := 0; i < count; i++ {
		end := strings.IndexByte(string(rest), 0)
		if end < 0 || len(rest) < end+1+18 {
			break
		}
		columns = append(columns, string(rest[:end]))
		rest = rest[end+1+18:] // table oid, column number, type oid, size, modifier, format
	}
	return columns
}

func parseDataRow(payload []byte) ([]Value, error) {
	if len(payload) < 2 {
		return nil, errors.New("postgres: short data row")
	}
	count := int(binary.BigEndian.Uint16(payload))
	row := make([]Value, count)
	rest := payload[2:]
	for i := range row {
		if len(rest) < 4 {
			return nil, errors.New("postgres: truncated data row")
		}
		length := int32(binary.BigEndian.Uint32(rest))
		rest = rest[4:]
		if length < 0 {
			row[i] = Value{Null: true}
			continue
		}
		if int(length) > len(rest) {
			return nil, errors.New("postgres: truncated data row")
		}
		row[i] = Value{Text: string(rest[:length])}
		rest = rest[length:]
	}
	return row, nil
}
