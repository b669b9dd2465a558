/*
 * wt_tls.h: the sans-IO TLS 1.3 (RFC 8446) and TLS 1.2 (RFC 5246, ECDHE
 * and AEAD suites only) engine, client and server, and
 * OpenSSL's SSL_write/SSL_read semantics implemented once on top of it.
 *
 * Two objects, as OpenSSL's SSL_CTX and SSL:
 *   wt_tls_ctx   role-independent configuration shared by many connections
 *                (suites, groups, signature schemes, certificate chain and
 *                key, ALPN, ticket keys, verification policy, modes);
 *   wt_tls_conn  one connection.
 * Both are fixed-size structures the host allocates (sizes from
 * wt_tls_ctx_size()/wt_tls_conn_size()). A connection also needs one
 * arena of wt_tls_conn_arena_size() bytes for its record buffers, given at
 * init, sized once (its offsets never move). The handshake's own buffers
 * (a whole flight, messages of up to hs_max bytes) are allocated by the
 * engine (malloc) while the handshake runs, or while a post-handshake
 * message is being read, and freed after: an idle established connection
 * holds the arena only; wt_tls_conn_clear frees them in any state. Memory a ctx setter takes by pointer (chain, ALPN list) must
 * outlive the ctx; the wasm exports keep copies.
 *
 * The engine is a memory machine with four buffers, BearSSL style:
 *   net in   (recvrec)  ciphertext from the peer: the host writes into
 *                       wt_tls_net_in_buf() and calls wt_tls_net_in_ack();
 *   net out  (sendrec)  ciphertext for the peer: the host reads
 *                       wt_tls_net_out_buf() and calls wt_tls_net_out_ack();
 *   sendapp / recvapp   plaintext, reached through the SSL_* style calls
 *                       below (wt_tls_write_ex2 / wt_tls_read_ex), which
 *                       copy from/to host memory.
 * The net-out side is bounded (wt_tls_conn_set_net_out_cap): like a BIO
 * pair's size, a full outgoing side is what makes WANT_WRITE real.
 *
 * Results follow OpenSSL: wt_tls_write/read return > 0 or <= 0;
 * the _ex forms return 1 or 0; wt_tls_get_error(conn, ret) then says why
 * (WT_TLS_ERROR_* uses SSL_ERROR_*'s numbering so its man page applies).
 * The first fatal error sticks: every later call returns it.
 *
 * Entropy and time come only from wt_host.h.
 */
#ifndef WT_TLS_H
#define WT_TLS_H

#include <stddef.h>
#include <stdint.h>

typedef struct wt_tls_ctx wt_tls_ctx;
typedef struct wt_tls_conn wt_tls_conn;

/* ---- limits ----------------------------------------------------------- */

/* RFC 8446 5.1: "The length MUST NOT exceed 2^14 bytes"; 5.2: a
 * TLSCiphertext's length "MUST NOT exceed 2^14 + 256 bytes". */
#define WT_TLS_MAX_PLAIN 16384
#define WT_TLS_MAX_CIPHER (16384 + 256)
#define WT_TLS_HDR 5
/* Defaults of the per-connection sizes (each settable on the ctx). */
#define WT_TLS_DEFAULT_NET_IN 33290  /* two largest records */
#define WT_TLS_DEFAULT_NET_OUT 16709 /* one largest record + slack */
/* Largest handshake message accepted: above OpenSSL's default limit for
 * a certificate list (max_cert_list, 100 KiB), and a ClientHello of that
 * size. Costs memory only during the handshake. */
#define WT_TLS_DEFAULT_HS_MAX 131072

/* ---- codepoints (RFC 8446 B.4; groups and schemes in wt_pk.h) --------- */
enum {
	WT_TLS_AES_128_GCM_SHA256 = 0x1301,
	WT_TLS_AES_256_GCM_SHA384 = 0x1302,
	WT_TLS_CHACHA20_POLY1305_SHA256 = 0x1303
};
/* TLS 1.2 suites (RFC 5289, RFC 7905): ECDHE key exchange and an AEAD
 * only; no RSA key exchange, no finite-field DH, no CBC. */
enum {
	WT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xC02B,
	WT_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xC02C,
	WT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xC02F,
	WT_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xC030,
	WT_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xCCA8,
	WT_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xCCA9
};
/* Signalling suite values (RFC 5746 3.3, RFC 7507). */
#define WT_TLS_EMPTY_RENEGOTIATION_INFO_SCSV 0x00FF
#define WT_TLS_FALLBACK_SCSV 0x5600
/* Protocol versions (wt_tls_ctx_set_versions, wt_tls_get_version). */
#define WT_TLS_VERSION_12 0x0303
#define WT_TLS_VERSION_13 0x0304

/* ---- get_error() results: OpenSSL's SSL_ERROR_* numbering ------------- */
enum {
	WT_TLS_ERROR_NONE = 0,
	WT_TLS_ERROR_SSL = 1,                /* protocol / verification / misuse */
	WT_TLS_ERROR_WANT_READ = 2,          /* feed net-in, call again */
	WT_TLS_ERROR_WANT_WRITE = 3,         /* drain net-out, call again */
	WT_TLS_ERROR_SYSCALL = 5,            /* transport EOF without close_notify */
	WT_TLS_ERROR_ZERO_RETURN = 6,        /* close_notify received */
	WT_TLS_ERROR_WANT_RETRY_VERIFY = 12, /* host must give a verify result */
	/* host must sign (wt_tls_keyop_*; BoringSSL's number) */
	WT_TLS_ERROR_WANT_PRIVATE_KEY_OPERATION = 13
};

/* ---- modes (SSL_CTX_set_mode(3) names and bit values) ----------------- */
#define WT_TLS_MODE_ENABLE_PARTIAL_WRITE 0x00000001u
#define WT_TLS_MODE_ACCEPT_MOVING_WRITE_BUFFER 0x00000002u
#define WT_TLS_MODE_AUTO_RETRY 0x00000004u
#define WT_TLS_MODE_RELEASE_BUFFERS 0x00000010u

/* options (SSL_CTX_set_options(3) names and bit values) */
/* RFC 8446 D.4 middlebox compatibility mode: a 32-byte legacy_session_id
 * and a dummy change_cipher_spec. On by default, as in OpenSSL. */
#define WT_TLS_OP_ENABLE_MIDDLEBOX_COMPAT 0x00100000u

/* write_ex2 flags (SSL_write(3)) */
#define WT_TLS_WRITE_FLAG_CONCLUDE 0x1u

/* ---- verification policy (required: no silent insecure default) ------- */
enum {
	/* Not set: connecting as a client (or requesting client certificates
	 * as a server) fails with WT_TLS_ERR_NO_VERIFY_POLICY. */
	WT_TLS_VERIFY_UNSET = 0,
	/* Signature over the handshake checked with the leaf's key, the chain
	 * itself NOT validated. For tests and pinned setups only. */
	WT_TLS_VERIFY_INSECURE_NO_CHAIN = 1,
	/* The handshake pauses after the peer's Certificate with
	 * WT_TLS_ERROR_WANT_RETRY_VERIFY; the host inspects the chain
	 * (wt_tls_peer_cert) and answers with wt_tls_set_verify_result().
	 * CertificateVerify is checked by the engine either way. */
	WT_TLS_VERIFY_EXTERNAL = 2,
	/* Full validation by crypto-src/x509 against the ctx's trust store
	 * (wt_tls_ctx_set_trust): path building, signatures, validity,
	 * basicConstraints / keyUsage / EKU (serverAuth on a client,
	 * clientAuth on a server), name constraints, and on a client the host
	 * name (RFC 9525; wt_tls_set_verify_host, default the SNI name). A
	 * failure sends the alert of wt_x509_err_alert() and fails with
	 * WT_TLS_R_CERT_REJECTED; wt_tls_verify_code() names the reason. */
	WT_TLS_VERIFY_CHAIN = 3
};
/* With WT_TLS_VERIFY_CHAIN: pause with WANT_RETRY_VERIFY after the
 * engine's verdict (wt_tls_verify_code) so a host callback sees the chain
 * and the verdict and answers with wt_tls_set_verify_result (0 accepts,
 * even a failed chain; an alert rejects, even a valid one). */
#define WT_TLS_VERIFY_CALLBACK 0x4u
/* Client-certificate request flags for a server ctx. */
#define WT_TLS_CLIENT_CERT_REQUEST 0x1u /* send CertificateRequest */
#define WT_TLS_CLIENT_CERT_REQUIRE 0x2u /* empty Certificate is fatal */

/* ---- error codes: one table, one numbering with the TS side ----------- *
 * 0           no error
 * 1..0xFF     local reasons (below)
 * 0x100 + a   fatal alert a received from the peer
 * 0x200 + a   fatal alert a sent to the peer (wt_tls_reason() then gives the
 *             local reason that made us send it)
 * wt_tls_err_string(code) gives the text of any of them. */
#define WT_TLS_ERR_RECV_ALERT 0x100
#define WT_TLS_ERR_SEND_ALERT 0x200
enum {
	WT_TLS_OK = 0,
	WT_TLS_ERR_NO_STATE = 1,            /* neither connect nor accept state */
	WT_TLS_ERR_NO_VERIFY_POLICY = 2,    /* ctx has no verification policy */
	WT_TLS_ERR_BAD_WRITE_RETRY = 3,     /* SSL_R_BAD_WRITE_RETRY */
	WT_TLS_ERR_BAD_LENGTH = 4,          /* write(len 0) or len > INT_MAX */
	WT_TLS_ERR_PROTOCOL_SHUTDOWN = 5,   /* write after close_notify sent */
	WT_TLS_ERR_NO_BUFFERS = 6,          /* arena released or too small */
	WT_TLS_ERR_CONFIG = 7,              /* bad ctx setting / no cert or key */
	WT_TLS_ERR_UNEXPECTED_EOF = 8,      /* transport ended, no close_notify */
	WT_TLS_ERR_INTERNAL = 9,            /* a primitive failed unexpectedly */
	WT_TLS_ERR_CRYPTO_UNAVAILABLE = 10, /* primitive not built in */
	WT_TLS_ERR_CHAIN_TOO_LARGE = 11,    /* chain's Certificate message > hs_max */
	WT_TLS_ERR_NO_MEMORY = 12,          /* malloc failed (memory exhausted) */
	/* reasons behind a sent alert */
	WT_TLS_R_RECORD_OVERFLOW = 32,
	WT_TLS_R_BAD_RECORD_TYPE = 33,
	WT_TLS_R_BAD_RECORD_VERSION = 34,
	WT_TLS_R_BAD_RECORD_MAC = 35,
	WT_TLS_R_EMPTY_RECORD = 36,
	WT_TLS_R_NO_CONTENT_TYPE = 37, /* all-zero inner plaintext */
	WT_TLS_R_BAD_CCS = 38,
	WT_TLS_R_UNEXPECTED_MESSAGE = 39,
	WT_TLS_R_HS_TOO_LARGE = 40,
	WT_TLS_R_DECODE = 41, /* malformed handshake message */
	WT_TLS_R_DUP_EXTENSION = 42,
	WT_TLS_R_BAD_EXTENSION = 43, /* extension not allowed here */
	WT_TLS_R_NO_TLS13 = 44,      /* peer does not offer TLS 1.3 */
	WT_TLS_R_NO_SHARED_SUITE = 45,
	WT_TLS_R_NO_SHARED_GROUP = 46,
	WT_TLS_R_NO_SHARED_SIGALG = 47,
	WT_TLS_R_BAD_KEY_SHARE = 48,
	WT_TLS_R_BAD_HRR = 49,
	WT_TLS_R_DOWNGRADE = 50, /* RFC 8446 4.1.3 sentinel seen */
	WT_TLS_R_BAD_FINISHED = 51,
	WT_TLS_R_BAD_SIGNATURE = 52,
	WT_TLS_R_BAD_CERTIFICATE = 53,
	WT_TLS_R_NO_CERTIFICATE = 54,
	WT_TLS_R_CERT_REJECTED = 55, /* host verification said no */
	WT_TLS_R_NO_ALPN = 56,
	WT_TLS_R_BAD_PSK = 57,
	WT_TLS_R_BAD_BINDER = 58,
	WT_TLS_R_HS_KEY_CHANGE = 59, /* handshake data spans a key change */
	WT_TLS_R_BAD_KEY_UPDATE = 60,
	WT_TLS_R_DATA_AFTER_CLOSE = 61,
	WT_TLS_R_BAD_SESSION_ID = 62,
	WT_TLS_R_BAD_COMPRESSION = 63,
	WT_TLS_R_MISSING_EXTENSION = 64,
	WT_TLS_R_BAD_RECORD_SIZE_LIMIT = 65,
	WT_TLS_R_BAD_LEGACY_VERSION = 66, /* ServerHello.legacy_version */
	WT_TLS_R_EARLY_DATA = 67,         /* bad early_data use / too much */
	WT_TLS_R_BAD_COOKIE = 68,         /* HelloRetryRequest cookie */
	/* floods of what carries nothing (RFC 8446 gives no number; ours
	 * are BoringSSL's, see tls_inner.h WT_TLS_MAX_EMPTY) */
	WT_TLS_R_TOO_MANY_EMPTY = 69,     /* empty records / dropped CCS */
	WT_TLS_R_TOO_MANY_WARNINGS = 70,  /* user_canceled alerts */
	WT_TLS_R_TOO_MANY_POST_MSGS = 71, /* KeyUpdate / NewSessionTicket */
	WT_TLS_R_KEY_USAGE = 72,          /* peer leaf may not sign */
	/* TLS 1.2 */
	WT_TLS_R_NO_SHARED_VERSION = 73,      /* no protocol version in common */
	WT_TLS_R_RENEGOTIATION = 74,          /* renegotiation refused */
	WT_TLS_R_BAD_RENEGOTIATION_INFO = 75, /* RFC 5746 */
	WT_TLS_R_INAPPROPRIATE_FALLBACK = 76, /* RFC 7507 */
	WT_TLS_R_BAD_POINT_FORMAT = 77,       /* no uncompressed point format */
	WT_TLS_R_NO_EMS = 78,                 /* RFC 7627 5.3 / 5.4 */
	WT_TLS_R_CERT_DECOMPRESS = 79,        /* RFC 8879 4: CompressedCertificate
	                                       * refused (length, stream) */
	WT_TLS_R_CERT_COMPRESSION_ALG = 80,   /* RFC 8879 4: algorithm not offered */
	/* Encrypted Client Hello (ech.c); numbered from 96 so the codes
	 * other parts of issue #17 add after 78 do not collide */
	WT_TLS_R_ECH_REJECTED = 96,  /* client: server did not take ECH */
	WT_TLS_R_ECH_BAD_INNER = 97, /* server: bad ClientHelloInner */
	WT_TLS_R_ECH_CONFIG = 98,    /* client: ECHConfig key unusable */
	WT_TLS_R_KEYOP_FAILED = 99   /* the host's signer failed */
};

/* RFC 8446 6 AlertDescription values used by the engine. */
enum {
	WT_ALERT_CLOSE_NOTIFY = 0,
	WT_ALERT_UNEXPECTED_MESSAGE = 10,
	WT_ALERT_BAD_RECORD_MAC = 20,
	WT_ALERT_RECORD_OVERFLOW = 22,
	WT_ALERT_HANDSHAKE_FAILURE = 40,
	WT_ALERT_BAD_CERTIFICATE = 42,
	WT_ALERT_UNSUPPORTED_CERTIFICATE = 43,
	WT_ALERT_CERTIFICATE_REVOKED = 44,
	WT_ALERT_CERTIFICATE_EXPIRED = 45,
	WT_ALERT_CERTIFICATE_UNKNOWN = 46,
	WT_ALERT_ILLEGAL_PARAMETER = 47,
	WT_ALERT_UNKNOWN_CA = 48,
	WT_ALERT_ACCESS_DENIED = 49,
	WT_ALERT_DECODE_ERROR = 50,
	WT_ALERT_DECRYPT_ERROR = 51,
	WT_ALERT_PROTOCOL_VERSION = 70,
	WT_ALERT_INSUFFICIENT_SECURITY = 71,
	WT_ALERT_INTERNAL_ERROR = 80,
	WT_ALERT_INAPPROPRIATE_FALLBACK = 86,
	WT_ALERT_USER_CANCELED = 90,
	WT_ALERT_MISSING_EXTENSION = 109,
	WT_ALERT_UNSUPPORTED_EXTENSION = 110,
	WT_ALERT_UNRECOGNIZED_NAME = 112,
	WT_ALERT_BAD_CERTIFICATE_STATUS = 113,
	WT_ALERT_NO_RENEGOTIATION = 100,
	WT_ALERT_UNKNOWN_PSK_IDENTITY = 115,
	WT_ALERT_CERTIFICATE_REQUIRED = 116,
	WT_ALERT_NO_APPLICATION_PROTOCOL = 120,
	WT_ALERT_ECH_REQUIRED = 121 /* draft-ietf-tls-esni 11.2 */
};

/* Text for any error code (never NULL; "unknown error" for others). */
const char *wt_tls_err_string(uint32_t code);

/* ---- context ------------------------------------------------------------ */

size_t wt_tls_ctx_size(void);
/* Defaults: all three suites (AES-128-GCM first), groups X25519, P-256,
 * P-384, X25519MLKEM768 (those wt_kex_supported() reports), every
 * TLS 1.3 signature scheme, mode AUTO_RETRY, verification UNSET. */
void wt_tls_ctx_init(wt_tls_ctx *ctx);
/* Lists of codepoints, preference order. 0, or WT_TLS_ERR_CONFIG for an
 * empty list, an unknown or unsupported value, or too many (max 8/8/16). */
int wt_tls_ctx_set_suites(wt_tls_ctx *ctx, const uint16_t *list, size_t n);
int wt_tls_ctx_set_groups(wt_tls_ctx *ctx, const uint16_t *list, size_t n);
/* Signature schemes: TLS 1.3's (and TLS 1.2's) in the list's order; the
 * RSASSA-PKCS1-v1_5 ones (0x0401/0501/0601) in it are for TLS 1.2 only
 * (RFC 8446 4.4.3). By default all three are offered for TLS 1.2 after
 * the list; a list set here is taken as it is. */
int wt_tls_ctx_set_sigalgs(wt_tls_ctx *ctx, const uint16_t *list, size_t n);
/* The TLS 1.2 suites (WT_TLS_ECDHE_*), preference order (max 8);
 * wt_tls_ctx_set_suites sets the TLS 1.3 ones. Default: ChaCha20-Poly1305
 * first, then AES-128-GCM, AES-256-GCM, each ECDSA then RSA. */
int wt_tls_ctx_set_suites12(wt_tls_ctx *ctx, const uint16_t *list, size_t n);
/* The protocol versions enabled: min <= max, each WT_TLS_VERSION_12 or
 * WT_TLS_VERSION_13 (default: both). 0 or WT_TLS_ERR_CONFIG. */
int wt_tls_ctx_set_versions(wt_tls_ctx *ctx, uint32_t min, uint32_t max);
/* Certificate chain: concatenated DER certificates, leaf first (memory
 * kept by reference). WT_TLS_ERR_CONFIG when it is not a sequence of DER
 * elements; WT_TLS_ERR_CHAIN_TOO_LARGE when its Certificate message would
 * exceed the ctx's hs_max (no peer with that limit could take it, and
 * our own buffers are sized by it). Private key DER (PKCS#8, PKCS#1 RSA, SEC 1 EC),
 * parsed with wt_privkey_from_der and held (wiped by wt_tls_ctx_clear). */
int wt_tls_ctx_set_chain(wt_tls_ctx *ctx, const uint8_t *der, size_t len);
int wt_tls_ctx_set_key(wt_tls_ctx *ctx, const uint8_t *der, size_t len);
/* After wt_tls_ctx_set_key failed: why, naming the key type when that is
 * the reason ("unsupported private key type: DSA"); "" after success. */
const char *wt_tls_ctx_key_error(const wt_tls_ctx *ctx);
/* ALPN protocol list in wire form (RFC 7301 3.1: 1-byte length + name,
 * repeated), preference order; kept by reference. */
int wt_tls_ctx_set_alpn(wt_tls_ctx *ctx, const uint8_t *wire, size_t len);
int wt_tls_ctx_set_verify(wt_tls_ctx *ctx, uint32_t policy, uint32_t client_cert_flags);
/* Trust anchors for WT_TLS_VERIFY_CHAIN (a crypto-src/x509 store, kept by
 * reference: it must outlive the ctx). */
int wt_tls_ctx_set_trust(wt_tls_ctx *ctx, const void *store);
/* SPKI SHA-256 pins (RFC 7469 style, 32 bytes each, at most 8): with any
 * pin set, the peer's validated path (or, without chain validation, its
 * leaf) must contain a certificate whose key matches one. */
int wt_tls_ctx_add_pin(wt_tls_ctx *ctx, const uint8_t sha256[32]);
/* Session ticket key (server): 32 bytes; tickets are sealed with
 * ChaCha20-Poly1305 under it. tickets = NewSessionTickets sent after each full
 * handshake (default 0: no resumption). lifetime in seconds. */
int wt_tls_ctx_set_ticket_key(wt_tls_ctx *ctx, const uint8_t key[32], uint32_t tickets,
			      uint32_t lifetime);
void wt_tls_ctx_set_mode(wt_tls_ctx *ctx, uint32_t mode); /* OR-ed in */
void wt_tls_ctx_clear_mode(wt_tls_ctx *ctx, uint32_t mode);
uint32_t wt_tls_ctx_get_mode(const wt_tls_ctx *ctx);
void wt_tls_ctx_set_options(wt_tls_ctx *ctx, uint32_t op); /* OR-ed in */
void wt_tls_ctx_clear_options(wt_tls_ctx *ctx, uint32_t op);
/* RFC 8449 record_size_limit we advertise (64..16385; 0 = do not send). */
int wt_tls_ctx_set_record_size_limit(wt_tls_ctx *ctx, uint32_t limit);
/* Buffer sizes for connections made later (see the defaults above).
 * WT_TLS_ERR_CHAIN_TOO_LARGE when the chain set cannot be sent within
 * hs_max. */
int wt_tls_ctx_set_sizes(wt_tls_ctx *ctx, size_t net_in, size_t net_out, size_t hs_max);
/* Records one write key may protect before we send a KeyUpdate (RFC 8446
 * 5.5 usage limits), the KeyUpdate included. 0 (the default): the AEAD's
 * limit, 2^24.5 full records for AES-GCM and none short of the sequence
 * number's for ChaCha20-Poly1305. Lower values exist for tests; 1 is
 * refused (no room for data). */
int wt_tls_ctx_set_key_limit(wt_tls_ctx *ctx, uint64_t records);
/* Wipe the key and ticket key. */
void wt_tls_ctx_clear(wt_tls_ctx *ctx);

/* ---- connection -------------------------------------------------------- */

size_t wt_tls_conn_size(void);
/* Bytes of arena a connection from this ctx needs. */
size_t wt_tls_conn_arena_size(const wt_tls_ctx *ctx);
/* ctx must outlive conn. arena: wt_tls_conn_arena_size(ctx) bytes (may be
 * NULL with arenalen 0: attach later with wt_tls_conn_set_arena). The mode
 * is copied from the ctx. 0 or WT_TLS_ERR_NO_BUFFERS. */
int wt_tls_conn_init(wt_tls_conn *c, const wt_tls_ctx *ctx, uint8_t *arena,
		     size_t arenalen);
/* Wipe every secret in c (call before freeing it). */
void wt_tls_conn_clear(wt_tls_conn *c);
/* Free what the engine allocated for c (its handshake buffers), without
 * touching the arena: for a host that drops c without wt_tls_conn_clear
 * (a garbage collector's finalizer, whose arena may be gone already). c
 * must not be used after. */
void wt_tls_conn_free_buffers(wt_tls_conn *c);
void wt_tls_set_connect_state(wt_tls_conn *c);
void wt_tls_set_accept_state(wt_tls_conn *c);
/* 1 client, 0 server, -1 not set. */
int wt_tls_is_server(const wt_tls_conn *c);
void wt_tls_set_mode(wt_tls_conn *c, uint32_t mode);
void wt_tls_clear_mode(wt_tls_conn *c, uint32_t mode);
uint32_t wt_tls_get_mode(const wt_tls_conn *c);
/* Client: SNI host name (RFC 6066 3), copied (max 255 bytes). */
int wt_tls_set_server_name(wt_tls_conn *c, const char *name, size_t len);
/* The bounded outgoing side: at most cap bytes of ciphertext wait for the
 * host (minimum 1; at most the size the arena was made for). */
int wt_tls_conn_set_net_out_cap(wt_tls_conn *c, size_t cap);

/* RELEASE_BUFFERS support: when the connection is idle (nothing buffered
 * in any direction), detach the arena and return it for the host to free;
 * otherwise NULL. wt_tls_conn_set_arena attaches a fresh one before the
 * next call; a call made without one returns an error with code
 * WT_TLS_ERR_NO_BUFFERS that does not stick. */
uint8_t *wt_tls_conn_release_arena(wt_tls_conn *c);
int wt_tls_conn_set_arena(wt_tls_conn *c, uint8_t *arena, size_t len);
int wt_tls_conn_has_arena(const wt_tls_conn *c);
/* 1 when a server has received nothing yet (no byte, no handshake state):
 * it needs no arena to wait, and a call made without one returns
 * WANT_READ; 0 otherwise. A connection that has received nothing holds
 * no record buffers (the host attaches them when bytes arrive). */
int wt_tls_conn_awaiting_first(const wt_tls_conn *c);

/* ---- network side (BIO pair) ------------------------------------------ */

/* Where the host may write received ciphertext, and how much (0 when the
 * incoming side is full: process first). */
uint8_t *wt_tls_net_in_buf(wt_tls_conn *c, size_t *len);
void wt_tls_net_in_ack(wt_tls_conn *c, size_t len);
/* Transport reached EOF: later reads that need data see it. */
void wt_tls_net_in_eof(wt_tls_conn *c);
/* Ciphertext waiting to be sent, and how much. */
uint8_t *wt_tls_net_out_buf(wt_tls_conn *c, size_t *len);
void wt_tls_net_out_ack(wt_tls_conn *c, size_t len);
/* Pending counts (BIO_ctrl_pending analogues). */
size_t wt_tls_net_out_pending(const wt_tls_conn *c);
size_t wt_tls_net_in_pending(const wt_tls_conn *c); /* unprocessed bytes */
/* Plaintext ready to read without more input (SSL_pending). */
size_t wt_tls_pending(const wt_tls_conn *c);

/* ---- SSL object calls --------------------------------------------------- */

/* SSL_do_handshake: 1 done, <= 0 see get_error. */
int wt_tls_do_handshake(wt_tls_conn *c);
/* SSL_write_ex2. token identifies the caller's buffer object (any nonzero
 * value the host picks; e.g. a handle): a retry after WANT_* must pass the
 * same token, length and bytes, or with ACCEPT_MOVING_WRITE_BUFFER the
 * same length and bytes. 1 with *written set, or 0. */
int wt_tls_write_ex2(wt_tls_conn *c, uint32_t token, const uint8_t *buf, size_t len,
		     uint32_t flags, size_t *written);
int wt_tls_write_ex(wt_tls_conn *c, uint32_t token, const uint8_t *buf, size_t len,
		    size_t *written);
/* SSL_write: > 0 bytes written; len 0 is an error (WT_TLS_ERR_BAD_LENGTH). */
int wt_tls_write(wt_tls_conn *c, uint32_t token, const uint8_t *buf, size_t len);
/* SSL_read_ex / SSL_read / SSL_peek_ex. */
int wt_tls_read_ex(wt_tls_conn *c, uint8_t *buf, size_t len, size_t *readbytes);
int wt_tls_read(wt_tls_conn *c, uint8_t *buf, size_t len);
int wt_tls_peek_ex(wt_tls_conn *c, uint8_t *buf, size_t len, size_t *readbytes);
/* SSL_read_ex / SSL_peek_ex without the copy: *view points at up to len
 * bytes of plaintext inside the connection's receive buffer (NULL on
 * failure). The bytes stay there only until the next call on the
 * connection (the next read opens a record over them, giving input may
 * move them): copy them out before any. */
int wt_tls_read_view(wt_tls_conn *c, size_t len, size_t *readbytes, const uint8_t **view,
		     int peek);
/* SSL_shutdown: 0 after sending close_notify, 1 once the peer's arrived,
 * < 0 see get_error. */
int wt_tls_shutdown(wt_tls_conn *c);
/* SSL_get_error(ret). */
int wt_tls_get_error(const wt_tls_conn *c, int ret);
/* Sticky error code (0 if none) and the local reason behind a sent alert. */
uint32_t wt_tls_error_code(const wt_tls_conn *c);
uint32_t wt_tls_reason(const wt_tls_conn *c);
/* SSL_key_update: send a KeyUpdate (update_requested 0/1) before the next
 * application data. 1, or 0 when the handshake is not done. */
int wt_tls_key_update(wt_tls_conn *c, int update_requested);
/* SSL_get_shutdown bits: 1 close_notify sent, 2 received. */
int wt_tls_get_shutdown(const wt_tls_conn *c);

/* ---- state and peer information ------------------------------------- */

/* 1 once the handshake is complete. */
int wt_tls_is_init_finished(const wt_tls_conn *c);
/* Negotiated values (0 before they are known). */
uint32_t wt_tls_get_suite(const wt_tls_conn *c);
uint32_t wt_tls_get_group(const wt_tls_conn *c);
uint32_t wt_tls_get_peer_sigalg(const wt_tls_conn *c);
/* WT_TLS_VERSION_12 or _13 once the ServerHello is sent or received. */
uint32_t wt_tls_get_version(const wt_tls_conn *c);
int wt_tls_session_reused(const wt_tls_conn *c);
/* TLS 1.2: 1 when the extended master secret (RFC 7627) is in use; 0
 * otherwise (and for TLS 1.3, whose key schedule has it built in). */
int wt_tls_ems(const wt_tls_conn *c);
/* SSL_get_secure_renegotiation_support: the peer signalled RFC 5746
 * (renegotiation_info or its SCSV) in TLS 1.2; always 1 in TLS 1.3,
 * which has no renegotiation to protect (as BoringSSL reports). */
int wt_tls_secure_renegotiation(const wt_tls_conn *c);
int wt_tls_hrr_seen(const wt_tls_conn *c);
/* Selected ALPN protocol (*len 0 if none). */
const uint8_t *wt_tls_get_alpn(const wt_tls_conn *c, size_t *len);
/* Server: the SNI host name the client sent (*len 0 if none). */
const char *wt_tls_get_server_name(const wt_tls_conn *c, size_t *len);
/* 1 if the peer authenticated with a certificate (client: always after
 * a full handshake; server: client certificate given). */
int wt_tls_peer_authenticated(const wt_tls_conn *c);
/* The peer's certificate i (0 = leaf) as DER; valid only while the
 * handshake is paused on WANT_RETRY_VERIFY. NULL past the end. */
const uint8_t *wt_tls_peer_cert(const wt_tls_conn *c, size_t i, size_t *len);
/* Client: the reference identity checked against the server's
 * certificate (RFC 9525: a DNS name or an IP literal), when it differs
 * from the SNI name (an IP address is never sent as SNI, RFC 6066 3). */
int wt_tls_set_verify_host(wt_tls_conn *c, const char *name, size_t len);
/* The verdict on the peer's chain: 0 valid, a negative WT_X509_ERR_*
 * (wt_x509_err_name gives "CERT_HAS_EXPIRED" and the like), or 1 when no
 * validation ran (policy INSECURE_NO_CHAIN or EXTERNAL, or no
 * certificate). */
int wt_tls_verify_code(const wt_tls_conn *c);
/* Answer to WANT_RETRY_VERIFY: alert 0 accepts; otherwise the alert to
 * send (e.g. WT_ALERT_BAD_CERTIFICATE, WT_ALERT_UNKNOWN_CA). */
int wt_tls_set_verify_result(wt_tls_conn *c, uint32_t alert);

/* ---- private key operations done by the host (keyop.c, signer.c) ------ *
 * BoringSSL's SSL_PRIVATE_KEY_METHOD: the key stays with the host (a
 * non-extractable WebCrypto key, a KMS, an HSM). The ctx holds the
 * certificate chain and, instead of a private key, the list of schemes
 * the host's signer supports. Where the engine would sign (TLS 1.3
 * CertificateVerify, both roles; TLS 1.2 ServerKeyExchange) the handshake
 * pauses with WT_TLS_ERROR_WANT_PRIVATE_KEY_OPERATION; the host signs
 * wt_tls_keyop_input() with wt_tls_keyop_scheme() and answers with
 * wt_tls_keyop_complete(), then calls the handshake again. The input is
 * the message itself, not a digest (WebCrypto and most KMS APIs hash it
 * themselves): RFC 8446 4.4.3's 64 spaces, context string, 0 and
 * transcript hash; RFC 8422 5.4's client_random, server_random and
 * ServerECDHParams; for a TLS 1.2 client's CertificateVerify, all the
 * handshake messages before it (RFC 5246 7.4.8), which a client with a
 * signer keeps (as bytes) until the version is known or they are signed. */
/* Set after wt_tls_ctx_set_chain: the leaf's key decides which schemes
 * fit (RFC 8446 4.2.3), the list (at most WT_TLS_MAX_SIGNER) which of
 * those the signer does. Replaces a key set with wt_tls_ctx_set_key
 * (which in turn clears the signer). WT_TLS_ERR_CONFIG: no chain, a leaf
 * key we cannot use, an empty list or an unknown scheme. */
#define WT_TLS_MAX_SIGNER 16
int wt_tls_ctx_set_signer(wt_tls_ctx *ctx, const uint16_t *schemes, size_t n);
/* While paused on WANT_PRIVATE_KEY_OPERATION: the scheme (0 otherwise)
 * and the bytes to sign (NULL otherwise). */
uint32_t wt_tls_keyop_scheme(const wt_tls_conn *c);
const uint8_t *wt_tls_keyop_input(const wt_tls_conn *c, size_t *len);
/* The signature in TLS wire form (DER for ECDSA, RFC 8446 4.2.3), at most
 * WT_SIG_MAX bytes. len 0 (or too long) says the operation failed: the
 * next call aborts the handshake with internal_error (RFC 8446 6.2) and
 * WT_TLS_R_KEYOP_FAILED. WT_TLS_ERR_CONFIG when nothing waits. */
int wt_tls_keyop_complete(wt_tls_conn *c, const uint8_t *sig, size_t len);

/* ---- sessions (client side PSK resumption, RFC 8446 4.6.1 / 2.2) -------- */

/* Serialized session from the last NewSessionTicket received; 0 if none.
 * Returns its length (writes nothing if cap is too small). Contains the
 * resumption PSK: a secret. */
size_t wt_tls_get_session(const wt_tls_conn *c, uint8_t *out, size_t cap);
/* NewSessionTickets received so far: a host that hands sessions out asks
 * for one only when this moved, instead of reading it after every call. */
uint32_t wt_tls_tickets_received(const wt_tls_conn *c);
/* Offer this session in the ClientHello (before the first call). */
int wt_tls_set_session(wt_tls_conn *c, const uint8_t *in, size_t len);
/* 4 + 2 + 2 + 1 + 32 + 1 + 64 + 4 + 4 + 8 + 2 + a ticket of up to 4096,
 * then (0-RTT) max_early_data_size 4 + ALPN 1 + 255 */
#define WT_TLS_SESSION_MAX 4480

/* ---- key log (NSS key log format, SSLKEYLOGFILE) ---------------------- *
 * For decrypting a capture of one's own traffic (Wireshark), as Node's tls
 * 'keylog' event and `openssl s_client -keylogfile`. Off by default; when
 * on, the engine keeps a copy of each TLS 1.3 secret as it comes into use,
 * in a small per-connection queue the host drains after each call (the
 * engine never calls out). A line of the file is
 *   LABEL <client_random, 64 hex> <secret, hex>
 * with the label text of wt_tls_keylog_label(). The order per role is
 * OpenSSL's, so a log matches a Node/OpenSSL peer's line for line:
 *   client: SERVER_HANDSHAKE, EXPORTER, SERVER_TRAFFIC_0,
 *           CLIENT_HANDSHAKE, CLIENT_TRAFFIC_0;
 *   server: SERVER_HANDSHAKE, CLIENT_HANDSHAKE, EXPORTER,
 *           SERVER_TRAFFIC_0, CLIENT_TRAFFIC_0.
 * CLIENT_EARLY_TRAFFIC_SECRET comes first when a client sends 0-RTT data
 * (a server accepts none). Secrets after a KeyUpdate are not logged (as in
 * OpenSSL and Node). These are the keys to the whole session: enable only
 * for debugging. */
enum {
	WT_TLS_KEYLOG_NONE = 0,
	WT_TLS_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET = 1,
	WT_TLS_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET = 2,
	WT_TLS_KEYLOG_CLIENT_TRAFFIC_SECRET_0 = 3,
	WT_TLS_KEYLOG_SERVER_TRAFFIC_SECRET_0 = 4,
	WT_TLS_KEYLOG_EXPORTER_SECRET = 5,
	/* TLS 1.2: the 48-byte master secret (RFC 5246 8.1) */
	WT_TLS_KEYLOG_CLIENT_RANDOM = 6,
	/* TLS 1.3 0-RTT (client): client_early_traffic_secret (7.1), logged
	 * when the early key is installed, before every other line */
	WT_TLS_KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET = 7
};
/* The largest secret (SHA-384 suites), and the queue's size: one
 * handshake makes at most six lines (five, and the client's 0-RTT one),
 * so a queue drained only at the end still loses none. */
#define WT_TLS_KEYLOG_SECRET_MAX 48
#define WT_TLS_KEYLOG_SLOTS 6
/* Turn recording on (1) or off (0; wipes anything still queued). Set it
 * before the handshake: secrets derived while it is off are not kept. */
void wt_tls_set_keylog(wt_tls_conn *c, int on);
/* Take the oldest queued secret: copies it into out (Hash.length bytes,
 * at most WT_TLS_KEYLOG_SECRET_MAX), sets *len, wipes the queue's copy and
 * returns its WT_TLS_KEYLOG_* label; WT_TLS_KEYLOG_NONE when empty. */
uint32_t wt_tls_keylog_next(wt_tls_conn *c, uint8_t out[WT_TLS_KEYLOG_SECRET_MAX],
			    size_t *len);
/* The NSS label text of id ("CLIENT_TRAFFIC_SECRET_0", ...); NULL for
 * anything else. */
const char *wt_tls_keylog_label(uint32_t id);
/* ClientHello.random, the key of every key log line (32 bytes): NULL until
 * the ClientHello was sent (client) or received (server). */
const uint8_t *wt_tls_client_random(const wt_tls_conn *c);

/* ---- Encrypted Client Hello (draft-ietf-tls-esni, ech.c) ---------------- */

/* ECH outcome (wt_tls_ech_status). */
enum {
	WT_TLS_ECH_NONE = 0,     /* not offered (client) / not seen (server) */
	WT_TLS_ECH_ACCEPTED = 1, /* the server took ClientHelloInner */
	WT_TLS_ECH_REJECTED = 2, /* offered, not taken */
	WT_TLS_ECH_OFFERED = 3   /* client: sent, no ServerHello yet */
};
/* Client, before the handshake: offer ECH with the first usable
 * ECHConfig of an ECHConfigList (as DNS HTTPS records carry it: u16
 * length, then ECHConfigs; version 0xfe0d, KEM X25519, KDF HKDF-SHA256,
 * AEAD AES-128-GCM, AES-256-GCM or ChaCha20-Poly1305). The context must
 * be TLS 1.3-only. 0; -1 malformed list; -2 no usable config (ECH is
 * then not offered); -3 not a client before its handshake; -4 memory. */
int wt_tls_set_ech_config_list(wt_tls_conn *c, const uint8_t *list, size_t len);
/* WT_TLS_ECH_*. */
uint32_t wt_tls_ech_status(const wt_tls_conn *c);
/* Client: the retry_configs (an ECHConfigList) the server sent when it
 * rejected ECH: its length (0 none), copied into out when cap allows. */
size_t wt_tls_ech_retry_configs(const wt_tls_conn *c, uint8_t *out, size_t cap);
/* Server: add an ECH key: one ECHConfig (version, length, contents) and
 * the X25519 private key of its public key (copied). Every configured
 * ECHConfig goes out as retry_configs when ECH is rejected. 0; -1 the
 * config does not parse, is not one we can use, or is not sk's; -2
 * memory. */
int wt_tls_ctx_add_ech_key(wt_tls_ctx *ctx, const uint8_t *config, size_t len,
			   const uint8_t sk[32]);
/* ---- certificate compression (RFC 8879, TLS 1.3 only) ----------------- *
 * The algorithms we can decompress are offered in compress_certificate:
 * a client's in its ClientHello, a server's in its CertificateRequest; a
 * CompressedCertificate (handshake type 25) is then taken in place of
 * Certificate, the transcript holding it as sent. zlib (RFC 1950) is the
 * only one built in: brotli needs RFC 7932's 122,784-byte dictionary,
 * zstd a decoder of the same order, over the module's size budget. */
#define WT_TLS_CERTCOMP_ZLIB 1
#define WT_TLS_CERTCOMP_BROTLI 2
#define WT_TLS_CERTCOMP_ZSTD 3
/* The algorithms to offer (WT_TLS_CERTCOMP_*; only ZLIB is accepted),
 * n 0 for none. Default: zlib. 0 or WT_TLS_ERR_CONFIG. */
int wt_tls_ctx_set_cert_compression(wt_tls_ctx *ctx, const uint16_t *algs, size_t n);
/* Our certificate, compressed: body is a whole CompressedCertificate body
 * (algorithm, uncompressed_length, compressed_certificate_message) for
 * the Certificate message of the ctx's chain with an empty
 * certificate_request_context, kept by reference; sent in place of that
 * Certificate (TLS 1.3) when the peer offered alg, one body per alg
 * (1..3; the first the peer lists that has one is sent). len 0 removes
 * it; alg 0 removes them all. always = 1 sends it to every peer, offered
 * or not, in any version: for tests that play a hostile peer, never
 * otherwise. 0 or WT_TLS_ERR_CONFIG (alg above 3). */
int wt_tls_ctx_set_compressed_certificate(wt_tls_ctx *ctx, uint32_t alg,
					  const uint8_t *body, size_t len, int always);
/* The algorithm the peer's certificate came compressed with; 0 when it
 * came as a plain Certificate (or none came). */
uint32_t wt_tls_peer_cert_compression(const wt_tls_conn *c);
/* ---- 0-RTT early data, client (RFC 8446 2.3, 4.2.10; early.c) ---------- *
 * OpenSSL's SSL_write_early_data(3) semantics. */

/* SSL_get_early_data_status values. */
#define WT_TLS_EARLY_DATA_NOT_SENT 0
#define WT_TLS_EARLY_DATA_REJECTED 1
#define WT_TLS_EARLY_DATA_ACCEPTED 2
/* A client with a session whose ticket allows early data (max_early_data
 * > 0): before the handshake and until the server's reply is read, seal
 * len bytes as 0-RTT application data. The first call sends the
 * ClientHello (offering early_data) and the bytes after it; later calls
 * add more. 1 and *written (all of len, or fewer when the outgoing side
 * filled: the rest is the caller's to write again), or 0 with the reason
 * in wt_tls_get_error: WANT_WRITE (nothing written; drain and call
 * again), SSL with the transient reason WT_TLS_R_EARLY_DATA (a server,
 * no session allowing early data, its max_early_data_size would be
 * exceeded, or the server's reply already read: "SSL_write_early_data()
 * ... must not be called" then). */
int wt_tls_write_early(wt_tls_conn *c, const uint8_t *buf, size_t len, size_t *written);
/* WT_TLS_EARLY_DATA_*: NOT_SENT until early data was offered, REJECTED
 * while the server's answer is not read and when it refused, ACCEPTED
 * once its EncryptedExtensions took it (as OpenSSL answers). */
uint32_t wt_tls_get_early_data_status(const wt_tls_conn *c);
/* The offered (or last received) session's max_early_data_size; 0: it
 * allows no early data (SSL_SESSION_get_max_early_data). */
uint32_t wt_tls_get_max_early_data(const wt_tls_conn *c);

/* ---- 0-RTT early data, server (RFC 8446 2.3, 4.2.10, 8; early_server.c) -- *
 * OpenSSL's SSL_CTX_set_max_early_data / SSL_read_early_data(3). */

/* max_early_data_size the server's tickets allow (0: no 0-RTT, the
 * default); a ticket issued under one size keeps it. Always 0. */
int wt_tls_ctx_set_max_early_data(wt_tls_ctx *ctx, uint32_t max);
uint32_t wt_tls_ctx_get_max_early_data(const wt_tls_ctx *ctx);
/* SSL_read_early_data's results. */
#define WT_TLS_READ_EARLY_ERROR 0
#define WT_TLS_READ_EARLY_SUCCESS 1
#define WT_TLS_READ_EARLY_FINISH 2
/* A server, before its handshake: the first call asks for early data
 * (0-RTT is accepted only then) and drives the handshake until early data
 * comes. SUCCESS with *readbytes > 0 bytes of early data (replayable:
 * RFC 8446 8, only a ticket's first use is accepted here, by this
 * context); FINISH when no more can come (none offered, refused, or
 * EndOfEarlyData read): the host goes on with the handshake; ERROR with
 * wt_tls_get_error (WANT_READ / WANT_WRITE: call again; SSL: a client,
 * or the handshake went on without it). Early data left unread when the
 * host drives the handshake otherwise is not lost: wt_tls_read returns it
 * later, like 1-RTT data. */
int wt_tls_read_early(wt_tls_conn *c, uint8_t *buf, size_t len, size_t *readbytes);
/* The algorithm our certificate went compressed with; 0 when it went as a
 * plain Certificate (or none went). */
uint32_t wt_tls_cert_compression_sent(const wt_tls_conn *c);

#endif
