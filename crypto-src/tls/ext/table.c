/* The extension descriptors, in sending order (s2n's extension lists).
 * key_share then supported_versions in a ServerHello, and key_share,
 * cookie, supported_versions in a HelloRetryRequest, match RFC 8448;
 * pre_shared_key MUST be last in a ClientHello (RFC 8446 4.2.11). */
#include "../tls_inner.h"

const wt_tls_ext *const wt_tls_exts[] = {
	&wt_ext_server_name,
	&wt_ext_supported_groups,
	&wt_ext_key_share,
	&wt_ext_cookie,
	&wt_ext_supported_versions,
	&wt_ext_signature_algorithms,
	&wt_ext_signature_algorithms_cert,
	&wt_ext_psk_modes,
	&wt_ext_record_size_limit,
	&wt_ext_alpn,
	&wt_ext_early_data,
	/* TLS 1.2 only (RFC 7627, RFC 5746, RFC 8422, RFC 5077) */
	&wt_ext_extended_master_secret,
	&wt_ext_renegotiation_info,
	&wt_ext_ec_point_formats,
	&wt_ext_session_ticket,
	/* RFC 8879 (TLS 1.3 only; parsed in a TLS 1.2 ClientHello, unused) */
	&wt_ext_compress_certificate,
	&wt_ext_pre_shared_key,
	/* After pre_shared_key, which ECH never goes with (ech.c offers no
	 * session), so it stays last whenever it is sent. */
	&wt_ext_ech,
};
const size_t wt_tls_nexts = sizeof wt_tls_exts / sizeof wt_tls_exts[0];
