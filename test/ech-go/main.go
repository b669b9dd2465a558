// ech-go: Go's crypto/tls (standard library only) as the independent ECH
// peer of test/ech-go.test.ts.
//
//	ech-go server CERT KEY CONFIG_HEX PRIVKEY_HEX [p256]   (empty hex: no ECH keys)
//	    listens on 127.0.0.1:0, prints "listening PORT", then for each
//	    connection "server ECHAccepted=B sni=NAME", echoing one line.
//	ech-go client PORT CA CONFIGLIST_HEX SERVERNAME
//	    prints "client ECHAccepted=B" and the echoed line, or
//	    "client error: ..." and "retry=HEX" for an ECH rejection.
package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
)

func main() {
	switch os.Args[1] {
	case "server":
		server()
	case "client":
		client()
	}
}

func server() {
	cert, err := tls.LoadX509KeyPair(os.Args[2], os.Args[3])
	if err != nil {
		panic(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}
	if len(os.Args) > 6 && os.Args[6] == "p256" {
		// P-256 only: a client whose share is X25519 gets a HelloRetryRequest.
		cfg.CurvePreferences = []tls.CurveID{tls.CurveP256}
	}
	if os.Args[4] != "" {
		c, _ := hex.DecodeString(os.Args[4])
		k, _ := hex.DecodeString(os.Args[5])
		cfg.EncryptedClientHelloKeys = []tls.EncryptedClientHelloKey{{Config: c, PrivateKey: k, SendAsRetry: true}}
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		panic(err)
	}
	fmt.Printf("listening %d\n", ln.Addr().(*net.TCPAddr).Port)
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go func(c net.Conn) {
			defer c.Close()
			tc := c.(*tls.Conn)
			if err := tc.Handshake(); err != nil {
				fmt.Printf("server handshake error: %v\n", err)
				return
			}
			st := tc.ConnectionState()
			fmt.Printf("server ECHAccepted=%v sni=%s\n", st.ECHAccepted, st.ServerName)
			line, _ := bufio.NewReader(tc).ReadString('\n')
			tc.Write([]byte(line))
		}(conn)
	}
}

func client() {
	pem, err := os.ReadFile(os.Args[3])
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	list, _ := hex.DecodeString(os.Args[4])
	cfg := &tls.Config{RootCAs: pool, ServerName: os.Args[5], MinVersion: tls.VersionTLS13,
		EncryptedClientHelloConfigList: list}
	c, err := tls.Dial("tcp", "127.0.0.1:"+os.Args[2], cfg)
	if err != nil {
		fmt.Printf("client error: %v\n", err)
		var rej *tls.ECHRejectionError
		if errors.As(err, &rej) {
			fmt.Printf("retry=%x\n", rej.RetryConfigList)
		}
		return
	}
	defer c.Close()
	fmt.Printf("client ECHAccepted=%v\n", c.ConnectionState().ECHAccepted)
	c.Write([]byte("hello from go\n"))
	line, _ := bufio.NewReader(c).ReadString('\n')
	fmt.Printf("echo %s", line)
}
