/*
 * tls_inner.h: structures and internal calls shared by crypto-src/tls/.
 *
 * Layers, top to bottom: each file calls only files below it, and the
 * include and call graph has no cycle (scripts/tls-graph.mjs prints and
 * checks it):
 *
 *   verbs     engine.c   the connection object, SSL_read, SSL_shutdown,
 *                        SSL_do_handshake, the network side, information
 *             write.c    SSL_write: the write rules and the retry digest
 *   pump      pump.c     the ONE pump: reads records, applies the
 *                        record-type policy (CCS, alerts, interleaving),
 *                        hands handshake bytes down, WANT_READ / EOF
 *   dispatch  dispatch.c handshake messages to the handler of the state
 *   messages  post.c (after the handshake: KeyUpdate, NewSessionTicket
 *                        receipt; TLS 1.2 renegotiation refused), then
 *             hs13_server.c, hs13_client.c (they build and read the
 *                        hellos and hand a TLS 1.2 exchange down to)
 *             hs12_server.c, hs12_client.c (RFC 5246 with ECDHE/AEAD)
 *   shared    hs12.c (TLS 1.2: master secret, ChangeCipherSpec, Finished,
 *                        signed ECDH parameters, CertificateVerify),
 *             handshake.c (Certificate, CertificateVerify, Finished,
 *                        extension blocks), ext/table.c, ext/<one each>.c
 *   failure   errors.c   the error table and the ONE failure path
 *                        (wt_tls_fail_code: the first error wins)
 *   record    record.c   a LEAF: framing, AEAD protect/unprotect, padding;
 *                        reports what arrived, never calls up
 *             ctx.c      context setters and the *_ok questions
 *   base      buffers.c codec.c keysched13.c keysched12.c transcript.c
 *             keylog.c
 *
 * Layout of one connection (the struct below, the host's arena, and the
 * handshake's regions, which buffers.c allocates while they are needed):
 *
 *   arena: [ in | out | stage | aead rd | aead wr ]
 *     in      ciphertext from the peer; records are decrypted in place and
 *             application data is read from there (recvapp);
 *     out     the bounded outgoing side the host drains (sendrec); at most
 *             out_cap bytes wait there, like a BIO pair of that size;
 *     stage   sealed records not yet moved into out (OpenSSL's write
 *             buffer): one application record (with a KeyUpdate, an
 *             alert) once the handshake is done;
 *     aead    the expanded AEAD keys of each direction (wt_tls_aead),
 *             remade from the dir's key after the arena comes back;
 *   while the handshake runs (malloc, freed once done and drained):
 *     hs_stage  the stage for a whole handshake flight;
 *     hs_out    outgoing handshake messages of the flight being built,
 *             sealed into the stage at each key change (so one record may
 *             carry several messages, as RFC 8448's server flight does);
 *     hs_in   one incoming handshake message being reassembled, grown to
 *             its size (up to hs_max); after the handshake it exists only
 *             while a post-handshake message is in it.
 */
#ifndef WT_TLS_INNER_H
#define WT_TLS_INNER_H

#include "inner.h"
#include "wt_aead.h"
#include "wt_hash.h"
#include "wt_host.h"
#include "wt_pk.h"
#include "wt_tls.h"

/* ---- bounded cursors (s2n stuffer / rustls Reader) -------------------- */

typedef struct {
	const uint8_t *p;
	size_t len;
} wt_rd;

/* Each returns 0, or -1 when the bytes are not there (nothing consumed). */
int wt_rd_u8(wt_rd *r, uint32_t *v);
int wt_rd_u16(wt_rd *r, uint32_t *v);
int wt_rd_u32(wt_rd *r, uint32_t *v);
int wt_rd_bytes(wt_rd *r, size_t n, const uint8_t **p);
/* A vector with a 1/2/3-byte length prefix, as a sub-cursor. */
int wt_rd_vec(wt_rd *r, size_t lenbytes, wt_rd *sub);

typedef struct {
	uint8_t *buf;
	size_t cap, len;
	int overflow; /* set once anything did not fit; checked at the end */
} wt_wr;

void wt_wr_u8(wt_wr *w, uint32_t v);
void wt_wr_u16(wt_wr *w, uint32_t v);
void wt_wr_u32(wt_wr *w, uint32_t v);
void wt_wr_bytes(wt_wr *w, const void *p, size_t n);
/* Open a length-prefixed vector; returns the position to close. */
size_t wt_wr_open(wt_wr *w, size_t lenbytes);
void wt_wr_close(wt_wr *w, size_t pos, size_t lenbytes);

/* ---- constants ---------------------------------------------------------- */

enum { CT_CCS = 20, CT_ALERT = 21, CT_HANDSHAKE = 22, CT_APPDATA = 23 };
enum {
	HS_HELLO_REQUEST = 0,
	HS_CLIENT_HELLO = 1,
	HS_SERVER_HELLO = 2,
	HS_NEW_SESSION_TICKET = 4,
	HS_END_OF_EARLY_DATA = 5,
	HS_ENCRYPTED_EXTENSIONS = 8,
	HS_CERTIFICATE = 11,
	HS_CERTIFICATE_REQUEST = 13,
	HS_SERVER_KEY_EXCHANGE = 12,
	HS_SERVER_HELLO_DONE = 14,
	HS_CERTIFICATE_VERIFY = 15,
	HS_CLIENT_KEY_EXCHANGE = 16,
	HS_FINISHED = 20,
	HS_KEY_UPDATE = 24,
	HS_MESSAGE_HASH = 254,
	HS_COMPRESSED_CERTIFICATE = 25 /* RFC 8879 4 */
};
/* Extension codepoints (RFC 8446 4.2, RFC 6066, RFC 7301, RFC 8449). */
enum {
	EXT_SERVER_NAME = 0,
	EXT_SUPPORTED_GROUPS = 10,
	EXT_EC_POINT_FORMATS = 11,
	EXT_SIGNATURE_ALGORITHMS = 13,
	EXT_ALPN = 16,
	EXT_PADDING = 21,
	EXT_EXTENDED_MASTER_SECRET = 23,
	EXT_SESSION_TICKET = 35,
	EXT_RENEGOTIATION_INFO = 0xFF01,
	EXT_RECORD_SIZE_LIMIT = 28,
	EXT_PRE_SHARED_KEY = 41,
	EXT_EARLY_DATA = 42,
	EXT_SUPPORTED_VERSIONS = 43,
	EXT_COOKIE = 44,
	EXT_PSK_KEY_EXCHANGE_MODES = 45,
	EXT_CERTIFICATE_AUTHORITIES = 47,
	EXT_POST_HANDSHAKE_AUTH = 49,
	EXT_SIGNATURE_ALGORITHMS_CERT = 50,
	EXT_KEY_SHARE = 51,
	EXT_COMPRESS_CERTIFICATE = 27 /* RFC 8879 3 */
};
/* Message contexts an extension may appear in (RFC 8446 4.2 table);
 * M_SH12 is a TLS 1.2 ServerHello (RFC 5246 7.4.1.4: the extensions a
 * 1.3 server puts in EncryptedExtensions come there). */
enum {
	M_CH = 1,
	M_SH = 2,
	M_HRR = 4,
	M_EE = 8,
	M_CT = 16,
	M_CR = 32,
	M_NST = 64,
	M_SH12 = 128
};

#define WT_TLS_MAX_SUITES 8
#define WT_TLS_MAX_GROUPS 8
#define WT_TLS_MAX_SIGALGS 16
#define WT_TLS_COOKIE_MAX 512
/* Largest ticket a client keeps (RFC 8446 4.6.1 allows 2^16-1; a larger
 * one is dropped: no resumption, not an error). Peers put state in their
 * tickets: GnuTLS the client's whole certificate chain (1910 bytes with
 * an RSA-2048 leaf and intermediate, measured with gnutls-serv 3.7.9
 * and openssl sess_id), OpenSSL the client's leaf. 1200 dropped every
 * ticket of a client authenticating with a chain. */
#define WT_TLS_TICKET_MAX 4096
/* Bytes of a client's 0-RTT records a server skips, record headers
 * included (RFC 8446 4.2.10 "up to the configured max_early_data_size":
 * we accept none but must get past what a client sends with a ticket it
 * believes allows it; we issue no ticket allowing early data, so the
 * bound is ours). BoringSSL's kMaxEarlyDataSkipped, counted as it counts
 * (whole records; its runner's SkipEarlyData-TooMuchData-TLS13 sends one
 * record of 16385 bytes and expects a failure): one full record of
 * plaintext. */
#define WT_TLS_EARLY_SKIP_MAX 16384
/* 0-RTT server: tickets used for 0-RTT remembered per context (RFC 8446
 * 8.1, early_server.c); when all are taken, 0-RTT is refused. */
#define WT_TLS_EARLY_USED 64

/* Records and messages that carry nothing: each is cheap to send and
 * costs us a record's work, so a peer could keep us busy forever with
 * them (OpenSSL CVE-2016-8610: a flood of warning alerts; Go's
 * crypto/tls caps such "useless records" at 16). Consecutive ones are
 * counted, each kind on its own, and the count starts again at a record
 * that carries application data or handshake bytes before the handshake
 * is done; one more than the limit fails with unexpected_message.
 * BoringSSL's limits (ssl/tls_record.cc kMaxEmptyRecords,
 * kMaxWarningAlerts; ssl/tls13_both.cc kMaxKeyUpdates), which its test
 * runner pins (SendEmptyRecords-Pass 32, SendUserCanceledAlerts-TLS13 4,
 * TooManyKeyUpdates 33): */
#define WT_TLS_MAX_EMPTY 32     /* empty records and dropped CCS records */
#define WT_TLS_MAX_WARNINGS 4   /* user_canceled alerts */
#define WT_TLS_MAX_POST_MSGS 32 /* KeyUpdates; NewSessionTickets */

/* Handshake states: "expect_*" is the message the connection waits for. */
enum {
	ST_NONE = 0,
	/* client */
	ST_C_START,
	ST_C_EXPECT_SH,
	ST_C_EXPECT_SH2,
	ST_C_EXPECT_EE,
	ST_C_EXPECT_CERT_CR,
	ST_C_EXPECT_CERT,
	ST_C_EXPECT_CV,
	ST_C_EXPECT_FIN,
	/* server */
	ST_S_EXPECT_CH,
	ST_S_EXPECT_CH2,
	ST_S_EXPECT_CERT,
	ST_S_EXPECT_CV,
	ST_S_EXPECT_FIN,
	/* TLS 1.2 client (RFC 5246 7.3): full handshake, then with a
	 * session resumed (abbreviated: NewSessionTicket, CCS, Finished) */
	ST_C12_EXPECT_CERT,
	ST_C12_EXPECT_SKE,
	ST_C12_EXPECT_CR_SHD,
	ST_C12_EXPECT_SHD,
	ST_C12_EXPECT_NST,
	ST_C12_EXPECT_CCS,
	ST_C12_EXPECT_FIN,
	/* TLS 1.2 server */
	ST_S12_EXPECT_CERT,
	ST_S12_EXPECT_CKE,
	ST_S12_EXPECT_CV,
	ST_S12_EXPECT_CCS,
	ST_S12_EXPECT_FIN,
	ST_CONNECTED,
	/* the host signs (keyop.c): the message that made our flight stays
	 * in hs_in and comes back to the flight's second half */
	ST_S_KEYOP,
	ST_C_KEYOP,
	ST_S12_KEYOP,
	ST_C12_KEYOP,
	/* TLS 1.3 server with 0-RTT accepted (early_server.c): early data,
	 * then EndOfEarlyData (RFC 8446 4.5) */
	ST_S_EXPECT_EOED
};

/* Named states of the connection (were bare integers). */
enum wt_role { ROLE_UNSET = -1, ROLE_SERVER = 0, ROLE_CLIENT = 1 };
/* SSL_get_shutdown(3) bits: SSL_SENT_SHUTDOWN 1, SSL_RECEIVED_SHUTDOWN 2. */
enum wt_shut { SHUT_SENT = 1, SHUT_RECEIVED = 2 };
/* The host's certificate verdict (WT_TLS_VERIFY_EXTERNAL / CALLBACK). */
enum wt_verify_state { VERIFY_NONE = 0, VERIFY_WAITING = 1, VERIFY_ANSWERED = 2 };
/* A KeyUpdate of ours waiting to be sealed (RFC 8446 4.6.3). */
enum wt_ku { KU_NONE = 0, KU_NOT_REQUESTED = 1, KU_REQUESTED = 2 };
/* How far the peer has authenticated (peer_auth): a Certificate with a
 * usable leaf key seen, CertificateVerify still to come; or both verified
 * (RFC 8446 4.4.2, 4.4.3). wt_tls_peer_authenticated() is 1 for VERIFIED. */
enum wt_peer_auth { PEER_AUTH_NONE = 0, PEER_AUTH_VERIFIED = 1, PEER_AUTH_CERT_SEEN = 2 };

/* ---- the context --------------------------------------------------------- */

struct wt_tls_ctx {
	uint16_t suites[WT_TLS_MAX_SUITES];   /* TLS 1.3 */
	uint16_t suites12[WT_TLS_MAX_SUITES]; /* TLS 1.2 */
	uint32_t nsuites12;
	uint32_t min_version, max_version; /* WT_TLS_VERSION_* */
	uint16_t groups[WT_TLS_MAX_GROUPS];
	uint16_t sigalgs[WT_TLS_MAX_SIGALGS];
	uint32_t nsuites, ngroups, nsigalgs;
	/* The RSASSA-PKCS1-v1_5 schemes TLS 1.2 may use (bit j for
	 * wt_tls_sigalgs_pkcs1[j]): all three by default; a list set with
	 * wt_tls_ctx_set_sigalgs names them itself (kept out of sigalgs,
	 * which TLS 1.3's CertificateVerify reads). */
	uint32_t pkcs1_mask;
	const uint8_t *chain;
	size_t chainlen;
	wt_privkey key;
	uint32_t has_key;
	char key_error[160]; /* why the last set_key failed */
	const uint8_t *alpn;
	size_t alpnlen;
	uint32_t verify, client_cert;
	uint8_t ticket_key[32];
	uint32_t has_ticket_key, tickets, ticket_lifetime;
	uint32_t mode, options;
	uint32_t rsl;
	size_t net_in, net_out, hs_max;
	size_t cert_msg_len;   /* our Certificate message, 0 no chain */
	uint64_t key_limit;    /* records per key; 0: RFC 8446 5.5's */
	const void *trust;     /* wt_x509_store for WT_TLS_VERIFY_CHAIN */
	uint32_t verify_flags; /* WT_TLS_VERIFY_CALLBACK */
	uint8_t pins[8][32];
	uint32_t npins;
	struct wt_tls_ech_keys *ech_keys; /* ECH server keys (ech.c), NULL none */
	uint32_t cc_algs; /* RFC 8879: algorithms we decompress, bit 0 zlib */
	/* RFC 8879: our CompressedCertificate bodies, precomputed by the
	 * host (kept by reference), one per algorithm (zlib 1, brotli 2,
	 * zstd 3 at [alg - 1]); cc_force goes out even where the peer did not
	 * offer its algorithm (tests of hostile peers only). */
	const uint8_t *cc_out[3];
	size_t cc_outlen[3];
	const uint8_t *cc_force;
	size_t cc_forcelen;
	/* wt_tls_ctx_set_signer: key holds the leaf's type only */
	uint32_t signer, nsigner;
	uint16_t signer_schemes[WT_TLS_MAX_SIGNER];
	/* 0-RTT, server (early_server.c): max_early_data_size (0: off) and
	 * the identities (SHA-256 prefix) of tickets used for 0-RTT, each
	 * until its ticket expires (RFC 8446 8.1; 0: a free slot) */
	uint32_t max_early;
	uint8_t early_used[WT_TLS_EARLY_USED][16];
	uint64_t early_used_exp[WT_TLS_EARLY_USED];
};

/* ---- record protection, one direction ----------------------------------- */

typedef struct {
	/* The AEAD key; its expanded form (wt_aead_ctx: AES round keys and
	 * GHASH powers, 3.4 KiB) lives in the arena (buffers.c
	 * wt_tls_aead), made from key when first used after the arena was
	 * attached (ready 0), so an idle connection whose arena went back
	 * (RELEASE_BUFFERS) holds 32 bytes of key, not the expansion. */
	uint8_t key[32];
	uint32_t alg, keylen; /* WT_AEAD_* and its key length */
	uint32_t ready;
	uint8_t iv[12];
	uint8_t secret[WT_HASH_MAX_LEN]; /* current traffic secret */
	uint64_t seq;
	uint32_t active; /* 0: records are TLSPlaintext */
	/* TLS 1.2 record protection (RFC 5246 6.2.3.3): no inner content
	 * type, the header's type and the plaintext length in the
	 * additional data; explicit: an 8-byte explicit nonce precedes the
	 * ciphertext (AES-GCM, RFC 5288 3), iv holding the 4-byte salt. */
	uint32_t v12, explicit_nonce;
} wt_tls_dir;

/* ---- key schedule: one struct per stage (rustls KeySchedule*) --------- */

typedef struct { /* after HKDF-Extract(0, PSK) */
	uint8_t secret[WT_HASH_MAX_LEN];
} wt_ks_early;
typedef struct { /* after HKDF-Extract(derived, (EC)DHE) */
	uint8_t secret[WT_HASH_MAX_LEN];
	uint8_t c_hs[WT_HASH_MAX_LEN], s_hs[WT_HASH_MAX_LEN];
} wt_ks_handshake;
typedef struct { /* after HKDF-Extract(derived, 0) */
	uint8_t secret[WT_HASH_MAX_LEN];
	uint8_t c_ap[WT_HASH_MAX_LEN], s_ap[WT_HASH_MAX_LEN];
	uint8_t exporter[WT_HASH_MAX_LEN], resumption[WT_HASH_MAX_LEN];
} wt_ks_master;

/* One queued key log secret (see wt_tls_set_keylog). */
typedef struct {
	uint8_t id; /* WT_TLS_KEYLOG_*, 0 free */
	uint8_t len;
	uint8_t secret[WT_TLS_KEYLOG_SECRET_MAX];
} wt_tls_keylog_entry;

/* A client's stored session (what wt_tls_get_session serializes). For
 * TLS 1.2 (version WT_TLS_VERSION_12) psk holds the 48-byte master
 * secret, ticket the RFC 5077 ticket (may be empty: a session ID only),
 * sid the session ID the server gave; age_add is unused. */
typedef struct {
	uint32_t version;
	uint32_t suite;
	uint32_t sidlen;
	uint8_t sid[32];
	uint32_t psklen;
	uint8_t psk[WT_HASH_MAX_LEN];
	uint32_t age_add, lifetime;
	uint64_t received_ms;
	/* 0-RTT (early.c): the ticket's max_early_data_size (RFC 8446
	 * 4.6.1; 0: no early data) and the ALPN protocol the session
	 * negotiated, which early data must be sent under (4.2.10). */
	uint32_t max_early;
	uint32_t alpnlen;
	uint8_t alpn[255];
	uint32_t ticketlen;
	uint8_t ticket[]; /* ticketlen bytes (at most WT_TLS_TICKET_MAX) */
} wt_tls_session;

/* What only the handshake reads, allocated when it starts
 * (wt_tls_hs_acquire) and wiped and freed when it is done
 * (wt_tls_hs_trim): an idle established connection does not hold key
 * exchange state, the transcript, the peer's public key, a cookie. */
typedef struct {
	/* transcript: both hashes run until the suite is known */
	wt_hash_ctx th, th384;
	wt_ks_early ks_e;
	wt_ks_handshake ks_h;
	wt_kex_ctx kex; /* fields private to crypto-src/pk */
	/* Our key_exchange bytes: a server's ServerHello share; a client's
	 * ClientHello share, kept to repeat it after a HelloRetryRequest that
	 * asked for a cookie only (RFC 8446 4.1.2). */
	uint8_t own_share[WT_KEX_SHARE_MAX];
	size_t own_sharelen;
	uint8_t cookie[WT_TLS_COOKIE_MAX];
	uint32_t cookielen;
	wt_pubkey peer_key;      /* the peer certificate's key */
	uint8_t cr_context[255]; /* CertificateRequest context */
	uint32_t cr_contextlen;
	uint8_t ch1_digest[32];      /* server: what ClientHello2 must repeat */
	uint8_t kb[2 * 32 + 2 * 12]; /* key block: client key, server key,
	                              * client iv, server iv (6.3), keylen and
	                              * iv12 each; installed at each side's
	                              * ChangeCipherSpec, wiped once both are */
	/* RFC 8879: the Certificate message (header included) decompressed
	 * from the peer's CompressedCertificate, read in its place (certcomp.c);
	 * freed with this struct. */
	uint8_t *cc_msg;
	size_t cc_len;
} wt_tls_hss;

struct wt_tls_conn {
	const wt_tls_ctx *ctx;
	int32_t role; /* enum wt_role */
	uint32_t mode;
	uint32_t state;
	uint32_t err, reason; /* sticky */
	uint32_t transient;   /* last non-sticky misuse error */
	int32_t last;         /* WT_TLS_ERROR_* of the last call */

	/* arena and its regions */
	uint8_t *arena;
	size_t arenalen;
	size_t in_cap, out_alloc, stage_cap, hs_max;
	size_t in_off, in_len;   /* unprocessed ciphertext [in_off, in_len) */
	size_t app_off, app_len; /* decrypted application data in `in` */
	size_t out_off, out_len, out_cap;
	size_t st_off, st_len;
	size_t hsi_len, hso_len;
	/* handshake regions, allocated while needed (buffers.c) */
	uint8_t *hs_stage; /* NULL: the stage is the arena's */
	uint8_t *hsi_buf, *hso_buf;
	size_t hsi_cap, hso_cap;
	uint32_t eof;

	/* records */
	wt_tls_dir rd, wr;
	uint32_t send_frag;  /* max plaintext bytes per record we send */
	uint32_t recv_limit; /* max inner plaintext (with type) we accept */
	uint32_t peer_rsl;   /* peer's record_size_limit, 0 none */
	uint32_t ccs_sent, hs_seen_ch;

	/* negotiated */
	uint32_t version; /* WT_TLS_VERSION_*, 0 until the hellos */
	uint32_t suite, hash, hashlen, aead, keylen, group;
	uint32_t peer_sigalg, own_sigalg;
	uint32_t resumed, hrr, peer_auth, cert_requested, sent_cert;
	uint32_t tkt_flags; /* server: flags of the ticket being resumed */
	uint32_t hs_done;

	wt_ks_master ks_m;
	/* What only the handshake reads (see wt_tls_hss): NULL before the
	 * handshake starts and once it is done. */
	wt_tls_hss *hs;

	/* hello state */
	uint32_t kex_group;     /* the group of our key share */
	uint32_t x25519_beside; /* client: an X25519 share went beside
	                              * the X25519MLKEM768 one (key_share.c) */
	uint8_t random[32], peer_random[32];
	uint8_t session_id[32];
	uint32_t sid_len;
	uint32_t hrr_group;
	uint32_t offered_psk;    /* client offered the stored (TLS 1.3)
	                              * session as a PSK */
	uint32_t offered_sess12; /* client offered the stored TLS 1.2
	                              * session (ticket and/or session ID) */
	uint32_t psk_hash_first; /* client: hash whose suites the ClientHello
	                              * lists first (0: our order); kept for
	                              * the second ClientHello (4.1.2) */
	uint32_t ext_sent;       /* client: bitmask of extensions sent */

	/* per-message scratch (filled by extension handlers) */
	uint32_t seen_ext[2]; /* duplicate detection, by slot */
	uint32_t peer_versions_ok;
	uint32_t peer_group;       /* share chosen from the peer */
	const uint8_t *peer_share; /* points into hs_in while processing */
	size_t peer_sharelen;
	/* The peer's lists are not stored: each is read whole as it is
	 * parsed and intersected with our own (short) list. Bit i set: the
	 * peer offered ctx->groups[i] / ctx->sigalgs[i]. */
	uint32_t peer_group_mask;
	uint32_t peer_sigalg_mask;
	uint32_t psk_modes_ok;
	uint32_t psk_index_sel;
	const uint8_t *psk_ext; /* pre_shared_key body, into hs_in */
	size_t psk_extlen;
	size_t psk_binders_off; /* offset of binders within the CH */
	uint32_t psk_selected;  /* client: server's selected_identity */
	uint32_t have_psk_ext;

	uint8_t sni[256];
	uint32_t snilen;
	uint8_t alpn[256];
	uint32_t alpnlen;

	/* peer certificate */
	uint32_t verify_state; /* enum wt_verify_state */
	uint32_t verify_alert;
	int32_t verify_code; /* see wt_tls_verify_code */
	uint8_t vhost[256];  /* wt_tls_set_verify_host */
	uint32_t vhostlen;

	/* sessions */
	wt_tls_session *sess; /* client: to offer / last received; allocated
	                       * to its ticket's size while there is one
	                       * (wt_tls_sess_resize), else NULL */
	uint32_t have_sess;
	uint32_t tickets_recv;        /* client: NewSessionTickets taken */
	uint8_t psk[WT_HASH_MAX_LEN]; /* server: PSK from the accepted ticket */
	uint32_t tickets_sent;

	uint32_t rd_epoch;
	uint32_t ext_seen_peer; /* server: extensions the client sent */
	uint32_t npeer_shares;  /* server: KeyShareEntry count */
	uint32_t cookie_ok;     /* server: ClientHello2 echoed the cookie */
	uint32_t psk_ch1;       /* server: ClientHello1's PSK was accepted */
	uint32_t early_skip;    /* server: 0-RTT bytes still to skip */

	/* TLS 1.2 (hs12*.c) */
	uint8_t ms[48];             /* master secret (RFC 5246 8.1) */
	uint32_t ems;               /* extended_master_secret negotiated */
	uint32_t peer_ems;          /* peer sent extended_master_secret */
	uint32_t peer_reneg;        /* peer sent renegotiation_info or SCSV */
	uint32_t peer_fallback;     /* server: TLS_FALLBACK_SCSV offered */
	uint32_t peer_v12;          /* server: 0x0303 offered (legacy_version
	                              * or supported_versions) */
	uint32_t peer_point_ok;     /* ec_point_formats lists uncompressed,
	                              * or the extension is absent */
	uint32_t peer_ticket_ext;   /* session_ticket extension seen */
	const uint8_t *peer_ticket; /* its body, into hs_in (server) */
	size_t peer_ticketlen;
	uint32_t send_ticket;            /* server: NewSessionTicket to send /
	                              * client: one is to come */
	uint32_t ccs_seen;               /* the peer's ChangeCipherSpec taken */
	uint32_t cert_type_ok;           /* client: our key's type is among the
	                              * CertificateRequest's certificate_types */
	uint32_t pmslen;                 /* client: the ECDHE secret, kept in ms
	                              * from ServerKeyExchange to our flight */
	uint8_t peer_vd[12], own_vd[12]; /* verify_data (RFC 5746 3.1) */

	/* post-handshake */
	uint32_t ku_pending; /* enum wt_ku */
	uint32_t ku_silent;  /* our KeyUpdate went out and no
	                              * application data since (RFC 8446
	                              * 4.6.3 "silent"; post.c, write.c) */
	/* consecutive records / messages that carried nothing (see
	 * WT_TLS_MAX_EMPTY); zeroed by application data or handshake bytes
	 * of the handshake */
	uint32_t idle_empty, idle_warn, idle_ku, idle_nst;
	uint32_t shut;          /* enum wt_shut bits */
	uint32_t close_pending; /* SSL_shutdown's close_notify sealed,
	                              * not yet all in `out` (WANT_WRITE) */

	/* key log queue: [kl_head, kl_n) waits for the host; empty and
	 * all-zero unless keylog is on */
	uint8_t keylog, kl_head, kl_n;
	wt_tls_keylog_entry kl[WT_TLS_KEYLOG_SLOTS];

	/* SSL_write retry state */
	uint32_t wp_active, wp_token;
	size_t wp_len, wp_done;
	uint64_t wp_digest;
	uint32_t wp_concluding;

	/* Encrypted Client Hello (ech.c): NULL when not offered / not seen */
	struct wt_tls_ech *ech;
	uint32_t ech_outer; /* client: ClientHelloOuter being written
	                     * (key_share.c repeats the inner's share) */
	/* RFC 8879 (certcomp.c) */
	uint32_t cc_alg; /* the peer's certificate came compressed (alg) */
	/* The algorithms of RFC 8879 7.3 (1..3) the peer offered, in its
	 * order, two bits each from bit 0 (at most three: duplicates are
	 * refused). */
	uint32_t cc_peer_algs;
	uint32_t cc_sent; /* the algorithm our certificate went compressed with */
	/* a signature the host makes (keyop.c); NULL when none */
	struct wt_keyop *keyop;
	/* A client with a signer: the handshake messages themselves, which
	 * a TLS 1.2 CertificateVerify signs (keyop.c wt_keyop_record) */
	uint8_t *tr12;
	size_t tr12_len, tr12_cap;
	uint32_t tr12_done;
	/* 0-RTT, client (early.c, RFC 8446 2.3, 4.2.10) */
	uint32_t early_want;    /* the host writes early data (write_early) */
	uint32_t early_state;   /* enum wt_early */
	uint32_t early_wr;      /* wr holds client_early_traffic_secret's key */
	uint32_t early_sent;    /* 0-RTT plaintext bytes sealed */
	uint32_t nst_max_early; /* the NewSessionTicket being read: its
	                         * max_early_data_size (0 without one) */
	/* 0-RTT, server (early_server.c) */
	uint32_t early_tkt_max;    /* the resumed ticket's max_early_data_size,
	                              * 0 when it cannot carry early data here */
	uint8_t early_tkt_id[16];  /* its identity's SHA-256 prefix */
	uint64_t early_tkt_expiry; /* when it expires (ms) */
	uint8_t early_secret[WT_HASH_MAX_LEN]; /* client_early_traffic_secret
	                              * until the flight is out */
	uint32_t early_rcvd;                   /* 0-RTT plaintext bytes read */
};

/* ---- 0-RTT, client (early.c, RFC 8446 2.3, 4.2.10) ---------------------- */

/* Where the client's early data stands (wt_tls_get_early_data_status maps
 * it to OpenSSL's SSL_EARLY_DATA_*): offered in the ClientHello and not yet
 * answered; the server's EncryptedExtensions carried early_data; or not
 * (or a HelloRetryRequest came: 4.2.10, early data is then rejected). */
enum wt_early { EARLY_NONE = 0, EARLY_OFFERED, EARLY_ACCEPTED, EARLY_REJECTED };
/* Before the ClientHello is built: offer early_data when the host writes
 * early data and the offered session allows it. */
void wt_early_client_offer(wt_tls_conn *c);
/* After the ClientHello went into the stage: the write side under
 * client_early_traffic_secret (7.1). 0 or -1 (error set). */
int wt_early_client_keys(wt_tls_conn *c);
/* A HelloRetryRequest: early data is rejected and the second ClientHello
 * goes in the clear. */
void wt_early_client_hrr(wt_tls_conn *c);
/* EncryptedExtensions read: accepted or rejected, checked. 0 or -1. */
int wt_early_client_ee(wt_tls_conn *c);
/* The server's Finished read: EndOfEarlyData when accepted (4.5), and the
 * write side onto the handshake key. 0 or -1. */
int wt_early_client_end(wt_tls_conn *c);
/* A NewSessionTicket was stored in c->sess: what 0-RTT needs with it. */
void wt_early_client_ticket(wt_tls_conn *c);

/* ---- 0-RTT, server (early_server.c, RFC 8446 2.3, 4.2.10, 8) ------------- */
/* 8.3: the client's ticket age and ours may differ by this much (ms). */
#define WT_TLS_EARLY_AGE_WINDOW_MS 10000
/* What a ticket carries for 0-RTT: max_early_data_size u32, SHA-256(ALPN). */
#define WT_EARLY_TICKET_LEN 36
size_t wt_early_ticket_put(const wt_tls_conn *c, uint8_t *p);
/* A ticket opened for resumption: may it carry early data here. */
void wt_early_ticket_get(wt_tls_conn *c, const uint8_t *id, size_t idlen,
			 const uint8_t *tail, uint32_t suite, uint32_t client_age_ms,
			 uint64_t age_ms, uint64_t expiry_ms);
/* NewSessionTicket's extensions block (early_data when on). */
void wt_early_server_nst_ext(const wt_tls_conn *c, wt_wr *w);
/* Before the ServerHello: accept 0-RTT or not. 0 or -1 (error set). */
int wt_early_server_decide(wt_tls_conn *c);
/* The server's flight sent: read under the early key when accepted. */
int wt_early_server_flight(wt_tls_conn *c);
/* Application data before the handshake is done: 0 when it is accepted
 * 0-RTT within max_early_data_size, else -1 (error set). */
int wt_early_server_data(wt_tls_conn *c, size_t len);
/* EndOfEarlyData (4.5). */
int wt_early_server_eoed(wt_tls_conn *c, const uint8_t *msg, size_t len);
/* 1 while early data may still come. */
int wt_early_server_pending(const wt_tls_conn *c);

/* ---- buffers (buffers.c) ------------------------------------------------ */

/* The regions of the arena (see the layout above). */
uint8_t *wt_tls_in(wt_tls_conn *c);
uint8_t *wt_tls_out(wt_tls_conn *c);
uint8_t *wt_tls_stage(wt_tls_conn *c);
uint8_t *wt_tls_hsin(wt_tls_conn *c);
uint8_t *wt_tls_hsout(wt_tls_conn *c);
/* The most hs_in may need for a handshake limit (one message of hs_max
 * bytes and one record more). */
size_t wt_tls_hsin_max(size_t hs_max);
/* The expanded AEAD context of direction d (c->rd or c->wr), in the
 * arena, expanded from d->key when not ready; NULL without an arena or
 * when the key does not expand. */
wt_aead_ctx *wt_tls_aead(wt_tls_conn *c, wt_tls_dir *d);
/* A new connection's regions (the stage is the arena's). */
void wt_tls_buffers_init(wt_tls_conn *c);
/* Allocate what the handshake needs (hs_stage, hs_out, hs_in) if it is
 * not done; 0, or -1 when memory is short. */
int wt_tls_hs_acquire(wt_tls_conn *c);
/* hs_in able to hold need bytes (grown, contents kept); 0 or -1 (over
 * wt_tls_hsin_max, or memory short). */
int wt_tls_hsin_reserve(wt_tls_conn *c, size_t need);
/* Give back what the handshake no longer needs (after it, and emptied). */
void wt_tls_hs_trim(wt_tls_conn *c);
/* Give back everything (wt_tls_conn_clear). */
void wt_tls_hs_free(wt_tls_conn *c);
/* c->sess made to hold a ticket of ticketlen bytes (ticketlen set, the
 * ticket bytes to be written; the other fields kept, zero when new); the
 * old one wiped and freed. 0, or -1 when memory is short (the old one
 * stays). */
int wt_tls_sess_resize(wt_tls_conn *c, size_t ticketlen);
/* Wipe and free the stored session (have_sess 0). */
void wt_tls_sess_free(wt_tls_conn *c);

/* ---- key log (keylog.c) ------------------------------------------------ */

/* Queue a copy of secret (Hash.length bytes) under label id when keylog is
 * on; nothing otherwise. */
void wt_tls_keylog_put(wt_tls_conn *c, uint32_t id, const uint8_t *secret);

/* ---- record layer (record.c): a leaf ------------------------------------ */

/* Install traffic keys derived from secret (RFC 8446 7.3) for a direction;
 * resets the sequence number. 0, or the WT_TLS_* code of the failure
 * (nothing is recorded on the connection: the caller decides). */
uint32_t wt_rec_set_keys(wt_tls_conn *c, wt_tls_dir *d, const uint8_t *secret);
/* Seal len bytes of type into stage as one or more records (protected if
 * the write direction is active); version is the legacy_record_version
 * of plaintext records (RFC 8446 5.1). 0, or the WT_TLS_* code. */
uint32_t wt_rec_seal(wt_tls_conn *c, uint32_t type, uint32_t version, const uint8_t *p,
		     size_t len);
/* TLS 1.2: install key and iv (RFC 5246 6.3 key block parts; ivlen 4
 * for AES-GCM's salt, 12 for ChaCha20-Poly1305) for a direction; resets
 * the sequence number. 0 or the WT_TLS_* code. */
uint32_t wt_rec_set_keys12(wt_tls_conn *c, wt_tls_dir *d, const uint8_t *key,
			   const uint8_t *iv);
/* Move staged bytes into out as room allows; 1 when stage is empty. */
int wt_tls_flush(wt_tls_conn *c);

/* What wt_rec_read found. */
typedef struct {
	uint32_t type; /* content type (the inner one when protected) */
	uint32_t prot; /* 1: deprotected with the read key; 0: in the clear */
	uint8_t *body; /* content, in place in `in`, padding stripped */
	size_t len;
	uint32_t alert, reason; /* WT_REC_ERROR: what to fail with */
} wt_rec_in;
enum { WT_REC_ERROR = -1, WT_REC_NONE = 0, WT_REC_GOT = 1, WT_REC_SKIPPED = 2 };
/* Take at most one complete record from `in`: WT_REC_NONE (not all there
 * yet), WT_REC_GOT (*r says what), WT_REC_SKIPPED (a 0-RTT record dropped,
 * RFC 8446 4.2.10), WT_REC_ERROR (r->alert, r->reason). Records sent in
 * the clear while the read key is on are reported as such (prot 0): what
 * may come that way is the pump's policy, not the record layer's. */
int wt_rec_read(wt_tls_conn *c, wt_rec_in *r);

/* ---- errors (errors.c): the one failure path ---------------------------- */

/* Record a fatal error; the first one wins and sticks. alert: sent (sealed
 * after what is already staged, pending handshake output dropped), the
 * error code then being WT_TLS_ERR_SEND_ALERT + alert; NO_ALERT: the error
 * code is err. Every failure of the engine ends here: this is the only
 * place the error field is written. Returns -1 for tail calls. */
int wt_tls_fail_code(wt_tls_conn *c, uint32_t alert, uint32_t err, uint32_t reason);
/* The usual form: reason is a local WT_TLS_R_* / WT_TLS_ERR_* code (also
 * the error code when no alert is sent). */
int wt_tls_fail(wt_tls_conn *c, uint32_t alert, uint32_t reason);
#define NO_ALERT 0xFFFFu
/* Fail with alert when *sent*: error code 0x200 + alert. */
#define FAIL(c, alert, reason) wt_tls_fail((c), (alert), (reason))
/* The record calls for the layers above: on failure the error is set. */
int wt_tls_set_keys(wt_tls_conn *c, wt_tls_dir *d, const uint8_t *secret);
int wt_tls_seal(wt_tls_conn *c, uint32_t type, const uint8_t *p, size_t len);
int wt_tls_seal_version(wt_tls_conn *c, uint32_t type, uint32_t version, const uint8_t *p,
			size_t len);
int wt_tls_send_alert(wt_tls_conn *c, uint32_t level, uint32_t desc);

/* ---- key schedule (keysched13.c) ---------------------------------------- */

int wt_ks_suite_params(uint32_t suite, uint32_t *hash, uint32_t *aead, uint32_t *keylen);
void wt_ks_early_init(wt_ks_early *e, uint32_t hash, const uint8_t *psk, size_t psklen);
int wt_ks_binder_key(const wt_ks_early *e, uint32_t hash, int resumption, uint8_t *out);
int wt_ks_handshake_init(wt_ks_handshake *h, const wt_ks_early *e, uint32_t hash,
			 const uint8_t *dhe, size_t dhelen, const uint8_t *th_ch_sh);
int wt_ks_master_init(wt_ks_master *m, const wt_ks_handshake *h, uint32_t hash,
		      const uint8_t *th_ch_sfin);
int wt_ks_resumption(wt_ks_master *m, uint32_t hash, const uint8_t *th_ch_cfin);
int wt_ks_finished(uint32_t hash, const uint8_t *base_key, const uint8_t *thash,
		   uint8_t *out);
int wt_ks_next_traffic(uint32_t hash, uint8_t *secret);
int wt_ks_ticket_psk(uint32_t hash, const uint8_t *res, const uint8_t *nonce,
		     size_t noncelen, uint8_t *psk);
int wt_ks_traffic_keys(uint32_t hash, const uint8_t *secret, uint8_t *key, size_t keylen,
		       uint8_t iv[12]);

/* ---- TLS 1.2 key schedule (keysched12.c, RFC 5246 5, 6.3, 8.1, 7.4.9;
 * RFC 7627 4) ---------------------------------------------------------- */

/* The TLS 1.2 suites: hash of the PRF, AEAD, key length, and whether the
 * certificate is ECDSA/EdDSA (1) or RSA (0). -1 for anything else. */
int wt_ks12_suite_params(uint32_t suite, uint32_t *hash, uint32_t *aead, uint32_t *keylen,
			 uint32_t *ecdsa);
/* PRF(secret, label, seed1 || seed2) = P_hash (RFC 5246 5), outlen bytes. */
int wt_prf12(uint32_t hash, const uint8_t *secret, size_t slen, const char *label,
	     const uint8_t *seed1, size_t s1len, const uint8_t *seed2, size_t s2len,
	     uint8_t *out, size_t outlen);
/* master_secret: with ems, PRF(pms, "extended master secret",
 * session_hash) (RFC 7627 4); without, PRF(pms, "master secret",
 * client_random || server_random) (RFC 5246 8.1). 48 bytes. */
int wt_ks12_master(uint32_t hash, const uint8_t *pms, size_t pmslen, int ems,
		   const uint8_t *session_hash, const uint8_t cr[32],
		   const uint8_t sr[32], uint8_t ms[48]);
/* The key block (RFC 5246 6.3): client_write_key, server_write_key,
 * client_write_IV, server_write_IV; ivlen 4 (GCM) or 12 (ChaCha). */
int wt_ks12_key_block(uint32_t hash, const uint8_t ms[48], const uint8_t cr[32],
		      const uint8_t sr[32], size_t keylen, size_t ivlen, uint8_t *out);
/* verify_data (RFC 5246 7.4.9): PRF(ms, "client finished" / "server
 * finished", Hash(handshake_messages)), 12 bytes. */
int wt_ks12_finished(uint32_t hash, const uint8_t ms[48], int client,
		     const uint8_t *thash, uint8_t out[12]);

/* ---- transcript (transcript.c) ------------------------------------------ */

void wt_th_init(wt_tls_conn *c);
void wt_th_add(wt_tls_conn *c, const uint8_t *p, size_t len);
/* Fix the hash once the suite is known (drops the other one). */
void wt_th_select(wt_tls_conn *c, uint32_t hash);
void wt_th_out(const wt_tls_conn *c, uint8_t *out);
/* RFC 8446 4.4.1: replace the transcript so far by message_hash. */
void wt_th_hrr_reset(wt_tls_conn *c);
/* TLS 1.2 keeps both hashes for the whole handshake: the PRF's is the
 * suite's, a CertificateVerify's the signature scheme's (RFC 5246
 * 7.4.8). The transcript hash under either (WT_SHA256 / WT_SHA384);
 * -1 for another hash, or when that one no longer runs. */
int wt_th_out_hash(const wt_tls_conn *c, uint32_t hash, uint8_t *out);

/* ---- handshake (handshake.c, hs13_client.c, hs13_server.c) ------------- */

/* Dispatch every complete message in hs_in (dispatch.c; the pump calls
 * it). 0 ok (maybe paused), -1 fatal. */
int wt_hs_dispatch(wt_tls_conn *c);
/* Append a handshake message (header added) to hs_out and the transcript. */
int wt_hs_put(wt_tls_conn *c, uint32_t type, const uint8_t *body, size_t len,
	      int transcript);
/* Seal hs_out into stage under the current write key. */
int wt_hs_flush(wt_tls_conn *c);

int wt_hs_client_start(wt_tls_conn *c);
int wt_hs_client_msg(wt_tls_conn *c, uint32_t type, const uint8_t *msg, size_t len);
int wt_hs_server_msg(wt_tls_conn *c, uint32_t type, const uint8_t *msg, size_t len);
/* post.c: a message after the handshake (KeyUpdate, NewSessionTicket). */
int wt_hs_post_msg(wt_tls_conn *c, uint32_t type, const uint8_t *msg, size_t len);
/* post.c: seal our pending KeyUpdate, if any, and the one the key usage
 * limit calls for (RFC 8446 5.5). 0 or -1 (error set). */
int wt_tls_post_send(wt_tls_conn *c);
/* The records one key may seal before a KeyUpdate (RFC 8446 5.5). */
uint64_t wt_tls_key_limit(const wt_tls_conn *c);

/* ---- the pump (pump.c) ---------------------------------------------------- */

/* What a verb waits for. */
enum wt_pump_goal {
	PUMP_HANDSHAKE, /* the handshake done */
	PUMP_BUFFERED,  /* what is already buffered processed, no waiting */
	PUMP_APPDATA,   /* application data readable */
	PUMP_CLOSE,     /* the peer's close_notify (data before it dropped) */
	PUMP_EARLY      /* server: 0-RTT data readable, or no more can come */
};
/* Common entry of every verb: sticky error, buffers, state. 1 go on, 0
 * return failure (c->last / c->transient set). */
int wt_tls_enter(wt_tls_conn *c);
/* Run until goal: 1 reached, 0 blocked (c->last says on what: WANT_READ,
 * WANT_WRITE, WANT_RETRY_VERIFY, ZERO_RETURN), -1 fatal. */
int wt_tls_pump(wt_tls_conn *c, enum wt_pump_goal goal);
/* Returns 2 when the message was left unconsumed to wait for the host. */
#define WT_HS_PAUSE 2

/* Private key operations done by the host (keyop.c). One waits in
 * c->keyop from the pause to the resumed flight: */
enum wt_keyop_state { KEYOP_WAITING = 1, KEYOP_DONE = 2, KEYOP_FAILED = 3 };
struct wt_keyop {
	uint32_t state, scheme;
	size_t inlen, siglen;
	uint8_t sig[WT_SIG_MAX];
	uint8_t in[]; /* what the host signs (inlen bytes) */
};
/* 1 when the ctx has no signer or its signer supports scheme. */
int wt_keyop_allows(const wt_tls_ctx *ctx, uint32_t scheme);
/* Where the engine would sign in with *scheme: the first call keeps in
 * for the host and returns WT_HS_PAUSE (c->keyop then waits; the caller
 * pauses its flight); once the host answered, sets *sig to the signature
 * and *scheme to the one asked for and returns 0 (free c->keyop after
 * using them); otherwise the reason to FAIL with (internal_error). */
int wt_keyop_sig(wt_tls_conn *c, uint32_t *scheme, const uint8_t *in, size_t inlen,
		 const uint8_t **sig, size_t *siglen);
/* Frees c->keyop and the messages kept for TLS 1.2, and stops keeping
 * them (the CertificateVerify they were for is made, or none will be). */
void wt_keyop_free(wt_tls_conn *c);
/* From wt_th_add: a client with a signer keeps each handshake message
 * until the version is known; TLS 1.2's CertificateVerify signs them all
 * (RFC 5246 7.4.8). A failed allocation drops them: c->tr12 NULL then
 * fails that CertificateVerify with NO_MEMORY. */
void wt_keyop_record(wt_tls_conn *c, const uint8_t *p, size_t len);

/* Shared pieces (handshake.c; the *_ok questions: ctx.c) */
/* RFC 8446 4.1.3: the ServerHello.random that makes it a HelloRetryRequest. */
extern const uint8_t wt_hrr_random[32];
int wt_hs_send_certificate(wt_tls_conn *c, const uint8_t *context, size_t ctxlen);
int wt_hs_send_cert_verify(wt_tls_conn *c);
int wt_hs_recv_certificate(wt_tls_conn *c, const uint8_t *body, size_t len);
int wt_hs_recv_cert_verify(wt_tls_conn *c, const uint8_t *body, size_t len);
int wt_hs_send_finished(wt_tls_conn *c, const uint8_t *base_key);
int wt_hs_recv_finished(wt_tls_conn *c, const uint8_t *body, size_t len,
			const uint8_t *base_key);
size_t wt_hs_out_room(const wt_tls_conn *c);
/* A writer over hs_out past a 4-byte header; commit adds the header and
 * the transcript. */
void wt_hs_writer(wt_tls_conn *c, wt_wr *w);
int wt_hs_commit(wt_tls_conn *c, uint32_t type, wt_wr *w);
int wt_hs_verify_gate(wt_tls_conn *c);
/* A server reads the client's Certificate (both versions): 0, -1 or
 * WT_HS_PAUSE; peer_auth tells whether one came. */
int wt_hs_server_recv_certificate(wt_tls_conn *c, const uint8_t *msg, size_t len);
/* The key type (WT_KEY_*) and PSS hash restriction of our leaf
 * certificate; -1 when there is none or it does not parse. */
int wt_hs_own_leaf_type(const wt_tls_ctx *ctx, uint32_t *type, uint32_t *pss_hash);
uint32_t wt_hs_pick_sigalg(const wt_tls_conn *c);
int wt_hs_client_ticket(wt_tls_conn *c, const uint8_t *msg, size_t len);
int wt_hs_check_ext_block(wt_tls_conn *c, wt_rd *exts, uint32_t msg);
/* A ServerHello (whole message) that negotiates TLS 1.3: a
 * HelloRetryRequest, or one with supported_versions (RFC 8446 4.2.1: a
 * server negotiating 1.3 "MUST respond by sending a
 * "supported_versions" extension"); and malformed ones, which the 1.3
 * parser refuses. 0: a TLS 1.2 (or older) ServerHello. */
int wt_hs_sh_is_tls13(const uint8_t *msg, size_t len);
/* 1 if the last block checked had extension type (one of the table's). */
int wt_hs_ext_seen(const wt_tls_conn *c, uint32_t type);
int wt_tls_spki_of_cert(const uint8_t *der, size_t len, const uint8_t **spki,
			size_t *spkilen);
int wt_tls_suite_ok(const wt_tls_ctx *ctx, uint32_t suite);
int wt_tls_group_ok(const wt_tls_ctx *ctx, uint32_t group);
int wt_tls_sigalg_ok(const wt_tls_ctx *ctx, uint32_t alg);
void wt_tls_set_suite(wt_tls_conn *c, uint32_t suite);

/* ---- TLS 1.2 (hs12.c shared; hs12_client.c, hs12_server.c) ------------ */

/* Fix the suite of a TLS 1.2 connection: version, hash, AEAD; both
 * transcript hashes keep running (see wt_th_out_hash). */
void wt_tls_set_suite12(wt_tls_conn *c, uint32_t suite);
int wt_tls_suite12_ok(const wt_tls_ctx *ctx, uint32_t suite);
/* The master secret from the (EC)DHE shared secret (EMS when c->ems),
 * the key block from it, and the CLIENT_RANDOM key log line. Wipes
 * nothing of the caller's. 0 or -1 (error set). */
int wt_hs12_master(wt_tls_conn *c, const uint8_t *pms, size_t pmslen);
/* Send ChangeCipherSpec and switch the write side to the new keys
 * (RFC 5246 7.1): our hs_out is sealed first under the old state. */
int wt_hs12_change_write(wt_tls_conn *c);
/* The peer's ChangeCipherSpec arrived: switch the read side. */
int wt_hs12_change_read(wt_tls_conn *c);
/* Finished (RFC 5246 7.4.9), sent with our role's label / checked with
 * the peer's (constant time; decrypt_error). Both keep the verify_data
 * for renegotiation_info (RFC 5746 3.1). */
int wt_hs12_send_finished(wt_tls_conn *c);
int wt_hs12_recv_finished(wt_tls_conn *c, const uint8_t *msg, size_t len);
/* ServerKeyExchange signed_params (RFC 8422 5.4): client_random ||
 * server_random || ServerECDHParams (curve_type 3, named_curve, point). */
size_t wt_hs12_ske_params(const wt_tls_conn *c, uint32_t group, const uint8_t *point,
			  size_t plen, uint8_t *out);
/* The RSASSA-PKCS1-v1_5 schemes a TLS 1.2 handshake may sign with (RFC
 * 5246 7.4.1.4.1; never SHA-1): offered after ctx->sigalgs when TLS 1.2
 * is enabled, bits WT_SIGMASK_PKCS1 + i of peer_sigalg_mask. */
extern const uint16_t wt_tls_sigalgs_pkcs1[3];
#define WT_SIGMASK_PKCS1 16
/* A scheme we accept in TLS 1.2: ctx->sigalgs or, with 1.2 on, PKCS1. */
int wt_tls_sigalg12_ok(const wt_tls_ctx *ctx, uint32_t alg);
/* CertificateVerify of TLS 1.2 (RFC 5246 7.4.8): a signature over the
 * handshake messages so far; ours picks a scheme of the peer's list with
 * SHA-256 or SHA-384 (the hashes the transcript keeps). */
int wt_hs12_send_cert_verify(wt_tls_conn *c);
int wt_hs12_recv_cert_verify(wt_tls_conn *c, const uint8_t *msg, size_t len);
/* Our TLS 1.2 signature scheme for ServerKeyExchange/CertificateVerify:
 * our preference, in the peer's list, fitting our key and certificate;
 * 0 when none. cv: for CertificateVerify (SHA-256/384 hashes only). */
uint32_t wt_hs12_pick_sigalg(const wt_tls_conn *c, int cv);
/* Refuse renegotiation after the handshake (RFC 5746 4.2/4.4 and as
 * rustls does): a no_renegotiation warning (alert 100). */
int wt_hs12_refuse_renegotiation(wt_tls_conn *c);

/* hs12_client.c: the ServerHello of a TLS 1.2 server (hs13_client.c
 * found no supported_versions in it), then the messages after it. */
int wt_hs12_client_server_hello(wt_tls_conn *c, const uint8_t *msg, size_t len);
int wt_hs12_client_msg(wt_tls_conn *c, uint32_t type, const uint8_t *msg, size_t len);
/* The server's ChangeCipherSpec (pump.c); 0 or -1. */
int wt_hs12_client_ccs(wt_tls_conn *c);
/* hs12_server.c: a ClientHello to answer with TLS 1.2 (hs13_server.c
 * parsed its extension block into the connection), then the rest. */
int wt_hs12_server_client_hello(wt_tls_conn *c, const uint8_t *msg, size_t len,
				const uint8_t *sid, size_t sidlen, const uint8_t *suites,
				size_t suiteslen, const uint8_t *comp, size_t complen);
int wt_hs12_server_msg(wt_tls_conn *c, uint32_t type, const uint8_t *msg, size_t len);
int wt_hs12_server_ccs(wt_tls_conn *c);

/* ---- extensions (ext/ files): descriptors ------------------------------- */

typedef struct {
	uint16_t type;
	uint16_t allowed; /* M_* where the extension may appear */
	/* Parse the body in message context msg; 0 or -1 (error set). */
	int (*recv)(wt_tls_conn *c, uint32_t msg, wt_rd *body);
	/* Write the whole extension (type, length, body) for msg if it
	 * belongs there; writes nothing otherwise. */
	void (*send)(wt_tls_conn *c, uint32_t msg, wt_wr *w);
} wt_tls_ext;

extern const wt_tls_ext wt_ext_supported_versions, wt_ext_key_share,
	wt_ext_supported_groups, wt_ext_signature_algorithms,
	wt_ext_signature_algorithms_cert, wt_ext_server_name, wt_ext_alpn,
	wt_ext_record_size_limit, wt_ext_psk_modes, wt_ext_cookie, wt_ext_early_data,
	wt_ext_pre_shared_key,
	/* TLS 1.2 (RFC 7627, RFC 5746, RFC 8422 5.1.2, RFC 5077) */
	wt_ext_extended_master_secret, wt_ext_renegotiation_info, wt_ext_ec_point_formats,
	wt_ext_session_ticket,
	/* draft-ietf-tls-esni (ech.c) */
	wt_ext_ech,
	/* RFC 8879 */
	wt_ext_compress_certificate;
/* The table, in the order extensions are sent (pre_shared_key last). */
extern const wt_tls_ext *const wt_tls_exts[];
extern const size_t wt_tls_nexts;
/* Which of our schemes a (well-formed) SignatureScheme list holds, as
 * peer_sigalg_mask has it (ext/signature_algorithms.c; TLS 1.2's
 * CertificateRequest carries the same list outside an extension). */
uint32_t wt_ext_sigalg_mask(const wt_tls_ctx *ctx, wt_rd list);
/* Write every extension for msg into w (as a u16-length block). */
void wt_ext_write_all(wt_tls_conn *c, uint32_t msg, wt_wr *w);

/* ---- Encrypted Client Hello (ech.c) ----------------------------------- */

typedef struct wt_tls_ech wt_tls_ech;
typedef struct wt_tls_ech_keys wt_tls_ech_keys;
/* Wipe and free c->ech / ctx->ech_keys. */
void wt_ech_free(wt_tls_conn *c);
void wt_ech_ctx_clear(wt_tls_ctx *ctx);
/* Client: HPKE set up at the start (0 or -1, error set); then around the
 * two ClientHellos hs13_client.c builds: inner is ClientHelloInner (in
 * the transcript), begin switches to the outer's name and random,
 * end seals the inner into the outer's payload. */
int wt_ech_client_start(wt_tls_conn *c);
int wt_ech_client_begin_outer(wt_tls_conn *c, const uint8_t *inner, size_t len);
int wt_ech_client_end_outer(wt_tls_conn *c, uint8_t *outer, size_t len);
/* Client: before the ServerHello enters the transcript: accepted or not
 * (rejected: the outer's transcript and public_name take over). */
int wt_ech_client_server_hello(wt_tls_conn *c, const uint8_t *msg, size_t len);
/* Client: a HelloRetryRequest (before the transcript's HRR reset): its
 * confirmation decides; rejected: the outer's transcript takes over. */
int wt_ech_client_hrr(wt_tls_conn *c, const uint8_t *msg, size_t len);
/* Client: 1 when the next ClientHello is an inner/outer pair. */
int wt_ech_client_pair(const wt_tls_conn *c);
/* Client: after the server's Finished: ech_required if rejected. */
int wt_ech_client_finished(wt_tls_conn *c);
/* Server: a ClientHello with an outer ECH extension: msg and len become
 * the rebuilt ClientHelloInner when a key opens it. 0 or -1. */
int wt_ech_server_open(wt_tls_conn *c, const uint8_t **msg, size_t *len);
/* Server: the ServerHello body in w, before it is committed: the
 * acceptance confirmation goes into its random. 0 or -1. */
int wt_ech_server_hello(wt_tls_conn *c, wt_wr *w, int hrr);
/* ---- certificate compression (certcomp.c, RFC 8879) --------------------- */

/* Take a CompressedCertificate (whole message): algorithm offered,
 * uncompressed_length within hs_max, the stream decoding to exactly that
 * length; the Certificate message it holds lands in c->hs->cc_msg, which
 * the Certificate readers then parse in its place. A second call (the
 * message handled again after a verify pause) keeps the first result.
 * 0, or -1 with the error set. */
int wt_certcomp_open(wt_tls_conn *c, const uint8_t *msg, size_t len);
/* Our Certificate as the ctx's precomputed CompressedCertificate: 1 with
 * its body written into w when it goes out (TLS 1.3, an empty request
 * context, the peer offered its algorithm), else 0 (w untouched). */
int wt_certcomp_put(wt_tls_conn *c, size_t ctxlen, wt_wr *w);

#endif
