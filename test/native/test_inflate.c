/*
 * test_inflate.c: the zlib decoder (crypto-src/codec/inflate.c) under the
 * plain and ASan+UBSan builds: a dynamic-Huffman stream made by zlib
 * (level 9, the first 3000 bytes of Debian's CA bundle) decodes; every
 * truncation of it is refused; 20,000 bit-flipped copies are each
 * decoded or refused with a WT_INFLATE_ERR_* and never read or write out
 * of bounds (ASan is the oracle there). The byte-for-byte differential
 * against node:zlib is test/inflate.test.ts.
 */
#include "testutil.h"
#include "wt_inflate.h"

static const char DYN[] =
	"78da7d565bd3aab8127de757ccbbb54b04bc3d26106e1224dce10d4141404145"
	"03fcfa037efbec3375a66aacb2828bceeaeed89d5ebf7e4d1f8814cdfc4b44b6"
	"abc99a085c3483bf18ac692a3b8a223cbd73403508724d0b5f47beadcc657b04"
	"5422917e6862adf8a426204886045052220743a08095871840a94e3c53f26b1d"
	"3a7ed3637bda9447924f8821818c386c0d096b0698b054a45ffc2001fb37f6a2"
	"8c48bea082a82e7b2338cb94edb10b5658f2e8d1c53c1eb364c2462ca1018fe8"
	"0f8691d6a3121006e6a60f01c6a2274b64153bc4ab13ec228281f00d51a454f5"
	"50f71365894c0c5e3f784ed18c31136860507d415860d1f631cd73ed8a01ab88"
	"ce4371b4132f110401f100103451a2607e7f00cd7490443c318fe4bd8cbc47f8"
	"1c1661dcb66cb897e2fac35bc2dbbe6dfbddc51e2dd13e58975b275c3adfcde4"
	"b06f4d5bfebc77392e6f4dc4a8ddd5e2ec648750ce85162c5f6b988422e1571b"
	"2b1868ddbf2f08a68d432f5967e698dfb1dc525f980f4e6a0cc78e828651b86b"
	"639d4bd656867d931a06d86eb055605098fb8383a552cb9fcdc63ddf1534f422"
	"614bffbe436e568505bcd683d902a656ade798af430b1ce1b1650f8d9f4949d2"
	"87a7f046cec760d5499fe88306f37050eecde6bc019550b3cee3bd4d04497b16"
	"4f46033b7a901dffb290de63dedeee990c8c40b83ed76c428917b3b725d8b54b"
	"e1bcc522f974e461b35d4577e5637782d2da5832ec41f3f73ed6537b5cdaf611"
	"adaff179711435153c77f23369529a083be588c0435282f778cfcc3d7d3e8e92"
	"7e7e06fdfaac32d5e6a25c9b66ac39c02369135a37a195b3a490f68a66c0c3e5"
	"b479547d653c496294b567b920f2bbf2f9daee06ccf54b61cb08075443f6fa1c"
	"a29a5dd2ab951b4b50dfc271fbee8dc4e0b22bc6fd8b95fa0d5e7247e39dae4d"
	"79b93afad18d1f372b0b1f991b1fd86ba3758ca25eb097d00c8afbee9d9fb8c5"
	"ead038eb0af19772dd691d69d8f5f57a1155dd7a48e4a5a88bceeb0e4e9b3069"
	"d8564997de23059bdc6eadef23f65269d5202f8b916c4b27688f4a949d8a8c3c"
	"1fe720e6ae68df6f28a957799b9c5bab66dede2b2460d177cffb8aaf96a9601c"
	"5fc75ea691661f08b789350cda943c414c340910009ba99c87a9fdc12ba51712"
	"69cc814610124f9d7a1da52efc604415519c1a8678321c815854b0c9549b1eaf"
	"bb4fc667bc7193cb888fde71883ff1ad7e31712057a7a07e1bac3c445cd166b7"
	"fd6870669ddeed763228a3c0fea4c37e88827a1305669995e81df13a8be1eeeb"
	"88f9ed091685f9c7d38933c7545c17116772c6cd1f3164e76ecda49c0410ba4e"
	"b1754b7e4cefd52ae418fffd806bf7844b282c3f2eb0e6fb41b5a70bebb243d0"
	"0553deea72f63613689444182640360f6a77b42ee6707619ff12079b46adcdd7"
	"80d572b19fee4898ce5797cde6707a4ecae9c08268ba03e42bcc6d5f7500986d"
	"0269c21d4d61fe1c18d5c4f9850c3722b0012004ae804ac089c201281588a72c"
	"814280066005146f5ea57965d21cb25f831cb640c12022b09c7fef287c031100"
	"2f9f361e5970ce413e13c4645ee96437ad080186d089498e2646d0cc404c610d"
	"1401447426447ff7e8cd6b34132b3b7002f0039414305b3279983c9dbf8c78f2"
	"30853c859e10789b2399361473640991c699782292e708e239d2c96e4ae1e745"
	"f20d1d0103fc1039042adf1408608114010c400f24044c0238803c7020e09be2"
	"9c0201329e99ebdf1e9a9939039002a90106051fa0a620a39007a2f0fb8c30c8"
	"f289e07b8823a030cf9f309fc7563afd035195a8369b4acdc7984a371bfe5750"
	"06d7d731578f27452e9360ff0e39fc6626e30ecbdeb750546a1fa75ea0ce036a"
	"0d4a145b29d84c051b63d84f54e9fb5bcad7753d95f62d09fa7a2af38e4902e1"
	"4342bd4c949a3bf1f81371fe9029f5646016b132f505af1749d87ea3c0febe8a"
	"436dee85d7efc9953112457049099a27f3945df853ca0821091c73d27f3712e5"
	"4f07fe635a33d3114ad3a882404f7bd02eef4bcfbc3bd3d45b8b3775ebd126ee"
	"44cbcc5a333a65879ae556dc5acaa1231cfbfb9decdaac65a42d8becfd6dc16d"
	"bd966b3ff1f3718b5719de61dd5a4d79354b9098b6e51ee4d6dfe17d7fbd6e72"
	"7e215e22d1614fdb5dee31fa20b63172974617af1eb7de8ca662743cd38bf6cf"
	"eb68b4b7b5b747e7fa13270d7a12d35f2e08ba07e2a86dbdab7d91163706e025"
	"3a84d836bb8da2b89b6c5bdc0eca3ea0db48d8dfc52790b27c1fbff14e3af17e"
	"2d8f57e191ae144ac0bedc27e5b995988fbfd0d5e40e5f7888858a0562f7d4f5"
	"d5e78ed6305d5bded8d47ec71f81ee3a8b5eaf5ff78c00bd5774fe408acbbdbe"
	"bd98eebee9ee2b42b5dc82ea5dae969f4a10db28e289e63d45cb80053db72a67"
	"4a997027e76bc71501ff12adecb0295dee1aa8ccf65cf836e2b449162c0abd15"
	"9e567af4abeab82a71bd6a6c426e344705fb589d36bbdd5d84ad0af34f1eac6e"
	"6b01d9c6ba60b4cdd8b68e8351247ac1e3707d7b778766a3dd2ed81e39c35949"
	"4e6fc10f0b7a7c5a52e456f2f67cbd1cc2b3ef78caf63502a658f5807b0dbeb5"
	"0a73333d0b85b161c374b5c9a93c6c9bcb2decb97717858ade2d6f347eb66aae"
	"abf7e1d19c92fa342e7a99c9f845a4af9b21749e6571dcca3725fad457307551"
	"29e9fb335d5cb6f125e5c95dd819b25cd8f76161d031eff8f7d55a359ccab496"
	"1f903e890dcba9fc2761df0ae287548f72f8ceeb8dba0b22be4597932db19d6f"
	"a2e87115a22df3d5a8c894fea95b7ffdbba695f379a8717f34ad15c647132b29"
	"378028535e99572895fafffa4ea41ec0d2ab67c411e83faa327241e5bbd84654"
	"faa35d0bc5ad569ee1eb92eba218c3f4bf2a93100fe75e25eb4c70857f33fa6a"
	"5a7a9410c565d59baeb736ddf8b7a6053d9e71094c5f98ccde67e73f9af63f18"
	"fdbbd9";

int main(void)
{
	size_t zlen, i;
	uint8_t *z = unhex(DYN, &zlen), *m = malloc(zlen);
	uint8_t *out = malloc(3000);
	uint32_t x = 0x2545F491u;
	int r = wt_zlib_inflate(z, zlen, out, 3000);
	CHECK(r == WT_INFLATE_OK, "zlib level 9 stream: %d", r);
	CHECK(memcmp(out, "-----BEGIN CERTIFICATE-----", 27) == 0, "decoded text");
	CHECK(wt_zlib_inflate(z, zlen, out, 2999) == WT_INFLATE_ERR_OVERFLOW,
	      "one byte less room");
	for (i = 0; i < zlen; i++) {
		/* Exact-size copies, so ASan sees any read past the end. */
		uint8_t *t = malloc(i ? i : 1);
		memcpy(t, z, i);
		r = wt_zlib_inflate(t, i, out, 3000);
		if (r == WT_INFLATE_OK)
			CHECK(0, "truncated to %zu decoded", i);
		free(t);
	}
	CHECK(1, "every truncation refused");
	for (i = 0; i < 20000; i++) {
		size_t k, flips = 1 + (i % 3);
		memcpy(m, z, zlen);
		for (k = 0; k < flips; k++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			/* Mostly the header and code tables at the front. */
			m[(x >> 8) % (x & 3 ? 64 : zlen)] ^= (uint8_t)(1u << (x & 7));
		}
		r = wt_zlib_inflate(m, zlen, out, 3000);
		if (r > 0 || r < WT_INFLATE_ERR_TRAILING)
			CHECK(0, "flip %zu: result %d", i, r);
	}
	CHECK(1, "20000 mutated streams decoded or refused");
	free(z);
	free(m);
	free(out);
	return t_done();
}
