/* hs12_client.c: the TLS 1.2 client (work in progress on branch tls12). */
#include "tls_inner.h"

int wt_hs12_client_server_hello(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	(void)msg; (void)len;
	return FAIL(c, WT_ALERT_PROTOCOL_VERSION, WT_TLS_R_NO_SHARED_VERSION);
}

int wt_hs12_client_msg(wt_tls_conn *c, uint32_t type, const uint8_t *msg,
	size_t len)
{
	(void)type; (void)msg; (void)len;
	return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_UNEXPECTED_MESSAGE);
}

int wt_hs12_client_ccs(wt_tls_conn *c)
{
	return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_BAD_CCS);
}
